//! Train a tiny question-type classifier, cross-validate it, save it, load it, and classify
//! new questions with a rejection threshold.
//!
//! Run with `cargo run -p briefing-topics --example question_types`.

use briefing_topics::{Classifier, Example, Label, TrainConfig, cross_validate};

fn main() -> Result<(), briefing_topics::Error> {
    // A few questions per answer type, in the spirit of the TREC question classes.
    let data = [
        ("Who founded the organisation?", "HUM"),
        ("Who is the secretary-general?", "HUM"),
        ("Who chaired the last summit?", "HUM"),
        ("Who signed the charter?", "HUM"),
        ("Where is the secretariat?", "LOC"),
        ("Where will the next summit take place?", "LOC"),
        ("Which city hosts the anti-terrorist structure?", "LOC"),
        ("Where was the declaration adopted?", "LOC"),
        ("How many member states are there?", "NUM"),
        ("When was the organisation founded?", "NUM"),
        ("How many observers does it have?", "NUM"),
        ("What year did India join?", "NUM"),
        ("What is the Shanghai spirit?", "DESC"),
        ("Why does the organisation fight extremism?", "DESC"),
        ("What does the charter say about sovereignty?", "DESC"),
        ("How does the business council work?", "DESC"),
    ];
    let examples: Vec<Example> =
        data.iter().map(|(text, label)| Example::new(*text, *label)).collect();

    // Training is seeded: the same seed gives the same model, whatever the thread count.
    let config = TrainConfig { seed: 1, ..TrainConfig::default() };
    let cv = cross_validate(&examples, 4, &config)?;
    println!("4-fold accuracy {:.2} ± {:.2}", cv.accuracy_mean, cv.accuracy_std);

    let classifier = Classifier::train(&examples, &config)?;

    // Models are saved as versioned JSON and load back to the same predictions.
    let path = std::env::temp_dir().join("briefing-question-types.json");
    classifier.save(&path)?;
    let classifier = Classifier::load(&path)?.with_rejection(0.5);

    for question in ["Who hosted the summit in 2019?", "How many members joined?", "Blue."] {
        let prediction = classifier.predict_top_k(question, 2);
        let label = match prediction.label {
            Label::Known(label) => label,
            Label::Unknown => "unknown",
        };
        println!(
            "{question:<34} -> {label:<7} {:.2}  (top: {:?})",
            prediction.confidence, prediction.top
        );
    }
    Ok(())
}

//! A narrated tour: build an index over a small interview, ask questions in
//! different styles, look at the answers, the signals and the explanation.
//!
//! Run with `cargo run -p briefing-retrieval --example ask`.

use briefing_retrieval::{Config, IndexBuilder, Passage, Query, Source, Synonyms};

fn main() -> Result<(), briefing_retrieval::Error> {
    // 1. Passages: each answer paragraph with the interviewer's question as
    //    context, grouped into turns.
    let question = "What has the council achieved in flood protection?";
    let passages = vec![
        Passage::new(
            "p2",
            "Over the last five years, the council built 40 kilometres of new levees. \
             The engineers repaired 120 pumping stations.",
        )
        .with_context(question)
        .with_turn(0),
        Passage::new(
            "p3",
            "In 2019 alone, the monitoring service issued 2,500 flood warnings to villages.",
        )
        .with_context(question)
        .with_turn(0),
        Passage::new("p5", "The next session of the council will be held in Riverton.")
            .with_context("Where will the next session take place?")
            .with_turn(1),
    ];
    let source = Source {
        doc_id: "interview".into(),
        speaker: "Anna Berg".into(),
        role: "Council Chair".into(),
        date: "2021-05-04".into(),
        ..Source::default()
    };

    // 2. Synonyms and bank questions are data the corpus provides.
    let synonyms = Synonyms::parse("levees | dikes\nkilometres | km | kilometers\n")?;
    let mut builder = IndexBuilder::new(Config::default());
    builder.synonyms(synonyms).document(source, passages).bank(
        "interview",
        "p5",
        &["Which town hosts the council's meeting?"],
    );
    let index = builder.build()?;

    // 3. Ask in the user's own words: paraphrase, typo, keywords, off-topic.
    for text in [
        "How many km of dikes were built?",
        "how many flod warnings",
        "which town hosts the meeting",
        "What's the weather in Paris?",
    ] {
        let answer = index.answer(&Query::new(text));
        println!("Q: {text}");
        if answer.answered {
            println!("A: {} (confidence {:.2})", answer.text, answer.confidence);
        } else {
            println!("A: (the interview does not say; confidence {:.2})", answer.confidence);
        }
    }

    // 4. Why did the first question match? The explanation labels every factor.
    let query = Query::new("How many km of dikes were built?");
    let top = index.search(&query, 1);
    if let Some(hit) = top.first() {
        println!("\n{}", index.explain(&query, hit.passage_idx));
    }
    Ok(())
}

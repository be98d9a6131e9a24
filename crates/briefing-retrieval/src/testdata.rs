//! Small inline corpora for the unit tests (nothing from real corpora).

use crate::{Config, Index, IndexBuilder, Passage, Source, Synonyms};

/// An invented interview with the head of a river basin council.
pub(crate) const INTERVIEW: &[(&str, &str, &str)] = &[
    (
        "p2",
        "What has the council achieved in flood protection?",
        "Over the last five years, the council built 40 kilometres of new levees. \
         The engineers repaired 120 pumping stations and planted one million trees along the banks.",
    ),
    (
        "p3",
        "What has the council achieved in flood protection?",
        "In 2019 alone, the monitoring service issued 2,500 flood warnings to villages. \
         Its inspectors closed 30 illegal gravel pits.",
    ),
    (
        "p5",
        "Where will the next session take place?",
        "The next session of the council will be held in Riverton. \
         Ministers of agriculture and ministers of finance will meet before it.",
    ),
    (
        "p6",
        "How do you work with farmers?",
        "The council supports small farms with grants for irrigation. \
         A new programme for organic agriculture will be developed together with the regions.",
    ),
    (
        "p8",
        "What is the council's role in the world?",
        "Our principles are mutual trust, equality and respect for nature. \
         The council is not directed against any state.",
    ),
];

pub(crate) const SYNONYMS: &str = "\
levees | dikes | embankments
kilometres | kilometers | km
programme | program
seized | confiscated | closed
farms | farmers
rcc | river cooperation council
";

pub(crate) fn source() -> Source {
    Source {
        doc_id: "interview".into(),
        title: "The river council looks ahead".into(),
        speaker: "Anna Berg".into(),
        role: "Council Chair".into(),
        event: "press briefing".into(),
        date: "2021-05-04".into(),
    }
}

pub(crate) fn passages() -> Vec<Passage> {
    let mut turn = 0;
    let mut last_question = "";
    INTERVIEW
        .iter()
        .map(|(id, question, text)| {
            if *question != last_question {
                turn += 1;
                last_question = question;
            }
            Passage::new(id, text).with_context(question).with_turn(turn)
        })
        .collect()
}

pub(crate) fn builder(config: Config) -> IndexBuilder {
    let mut builder = IndexBuilder::new(config);
    builder
        .synonyms(Synonyms::parse(SYNONYMS).unwrap_or_default())
        .document(source(), passages())
        .bank(
            "interview",
            "p6",
            &[
                "Does the council help agriculture?",
                "How are farmers helped with watering their fields?",
            ],
        );
    builder
}

pub(crate) fn index() -> Index {
    match builder(Config::default()).build() {
        Ok(index) => index,
        Err(error) => panic!("test index: {error}"),
    }
}

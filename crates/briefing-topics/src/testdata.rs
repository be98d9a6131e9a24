//! Small inline fixtures shared by the unit tests.

use crate::Example;

/// Three easily separated labels, eight short texts each, interleaved.
pub(crate) const TOY: &[(&str, &str)] = &[
    ("the striker scored a late goal for the team", "sport"),
    ("rain and strong wind expected tomorrow", "weather"),
    ("the new phone has a faster chip", "tech"),
    ("the keeper saved a penalty and the team won the match", "sport"),
    ("sunny skies with a light wind and no rain", "weather"),
    ("a software update for the phone fixes the battery", "tech"),
    ("the team won the match with a goal", "sport"),
    ("heavy snow and wind close mountain roads", "weather"),
    ("the laptop ships with more memory and a faster chip", "tech"),
    ("fans cheered the goal as the team won", "sport"),
    ("snow and freezing rain tonight", "weather"),
    ("the chip maker unveiled a new processor and software", "tech"),
    ("the striker was injured before the match", "sport"),
    ("a storm warning with strong wind and rain", "weather"),
    ("the phone app now supports new software", "tech"),
    ("the referee stopped the match after the goal", "sport"),
    ("fog and drizzle with rain in the morning", "weather"),
    ("engineers released the software for the laptop", "tech"),
    ("a late goal sealed the match for the team", "sport"),
    ("warm and humid with scattered rain and wind", "weather"),
    ("the tablet and the phone share a chip", "tech"),
    ("the captain and the striker lifted the cup for the team", "sport"),
    ("frost and snow on the ground at dawn", "weather"),
    ("the processor runs cooler than the old chip in the laptop", "tech"),
];

pub(crate) fn toy() -> Vec<Example> {
    TOY.iter().map(|(text, label)| Example::new(*text, *label)).collect()
}

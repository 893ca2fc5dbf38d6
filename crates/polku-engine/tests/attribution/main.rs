//! Attribution tests: conformance with ChannelAttribution and Snowplow's fractribution,
//! hand-worked Markov chains, Shapley axioms and properties of every model.

mod channelattribution;
mod fractribution_golden;
mod markov_exact;
mod properties;
mod util;

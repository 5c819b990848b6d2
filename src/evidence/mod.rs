//! What a run leaves behind and how it is checked later, all read from the event log:
//! signed checkpoints and the key behind them (`checkpoint`), evidence bundles (`bundle`)
//! and their RFC 3161 time-stamps (`timestamp`), normalised transcripts (`transcript`),
//! scenario snapshots (`snapshot`), run comparison (`rundiff`) and re-driving a recorded
//! run against one implementation (`replay`).

pub mod bundle;
pub mod checkpoint;
pub mod replay;
pub mod rundiff;
pub mod snapshot;
pub mod timestamp;
pub mod transcript;

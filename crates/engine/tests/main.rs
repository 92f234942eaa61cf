//! Integration tests of the engine (one test binary): shard and read-size
//! invariance, ICMP quotes and echoes in QinQ stacks built with pnet, and
//! flow floods against the live-flow cap.

mod flood;
mod gen;
mod quotes;
mod shards;

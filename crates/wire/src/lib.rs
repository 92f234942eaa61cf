//! Zero-copy decoding of captured frames.
//!
//! `portmatrix-wire` turns the bytes of one captured frame, together with its
//! link type, into a small borrowed [`PacketFacts`] value: VLAN tags,
//! addresses, transport, ports, TCP flags and numbers, the header quoted by
//! an ICMP error, and the payload slice. It is the input of the flow engine.
//!
//! Contract: decoding never panics and never allocates; a malformed layer is
//! recorded on the packet (see [`Error`]) and every layer decoded before it
//! is kept.
#![forbid(unsafe_code)]

pub mod link;

pub use link::LinkType;

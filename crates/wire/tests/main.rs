//! Integration tests of `portmatrix-wire`: frames built with `pnet_packet`
//! (or, for IGMP/MLD, by hand from the RFC figures) are decoded and every
//! field is compared with what was built.

mod app_corpus;
mod app_props;
mod corpus;
mod link;
mod multicast;
mod network;
mod props;
mod testgen;
mod transport;
mod tunnels;
mod util;

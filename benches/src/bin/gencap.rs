//! Writes a large synthetic capture for whole-program benchmarks.
//!
//! ```text
//! gencap OUT.pcap [--size-mb N] [--flows N] [--format pcap|pcapng] [--seed N]
//! ```
//!
//! The traffic imitates an AV network under load: RTP audio/video on even
//! ports with RTCP on the odd ones, VLAN-tagged in part, TCP control sessions
//! with handshakes, some IPv6, multicast audio and PTP. Packets are written
//! with a deterministic pseudo-random generator, so the same arguments give
//! the same bytes.

use std::io::{BufWriter, Write};

use anyhow::{bail, Context};
use portmatrix_benches::synth::{Generator, Options};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut out = None;
    let mut opts = Options::default();
    let mut size_mb: u64 = 1024;
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> anyhow::Result<String> {
            args.next().with_context(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--size-mb" => size_mb = value("--size-mb")?.parse()?,
            "--flows" => opts.flows = value("--flows")?.parse()?,
            "--seed" => opts.seed = value("--seed")?.parse()?,
            "--format" => {
                opts.pcapng = match value("--format")?.as_str() {
                    "pcap" => false,
                    "pcapng" => true,
                    other => bail!("unknown format {other:?} (pcap or pcapng)"),
                }
            }
            "-h" | "--help" => {
                println!(
                    "gencap OUT.pcap [--size-mb N] [--flows N] [--format pcap|pcapng] [--seed N]"
                );
                return Ok(());
            }
            _ if out.is_none() => out = Some(a),
            _ => bail!("unexpected argument {a:?}"),
        }
    }
    let out = out.context("missing output file")?;
    let file = std::fs::File::create(&out).with_context(|| format!("cannot create {out}"))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut gen = Generator::new(opts);
    let target = size_mb * 1024 * 1024;
    gen.write_header(&mut w)?;
    let mut written = gen.header_len() as u64;
    let mut packets = 0u64;
    while written < target {
        written += gen.write_packet(&mut w)? as u64;
        packets += 1;
    }
    w.flush()?;
    eprintln!("gencap: wrote {packets} packets, {written} bytes to {out}");
    Ok(())
}

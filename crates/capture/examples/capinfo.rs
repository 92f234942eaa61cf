//! Reads captures and prints what the reader saw, with the read speed.
//!
//! ```text
//! cargo run --release -p portmatrix-capture --example capinfo -- FILE... (or - for stdin)
//! ```
//!
//! It is also the program behind the throughput figures in
//! `docs/capture.md`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use portmatrix_capture::CaptureReader;

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for arg in std::env::args().skip(1) {
        let start = Instant::now();
        let mut reader = match CaptureReader::open(Path::new(&arg)) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("capinfo: {arg}: {e}");
                status = ExitCode::from(2);
                continue;
            }
        };
        // Touch every byte so the comparison with `cat` is fair.
        let mut checksum = 0u64;
        while let Some(item) = reader.next_record() {
            match item {
                Ok(rec) => {
                    checksum = rec
                        .data
                        .iter()
                        .fold(checksum, |c, &b| c.wrapping_add(u64::from(b)));
                }
                Err(e) => {
                    eprintln!("capinfo: {arg}: {e}");
                    status = ExitCode::from(2);
                }
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let s = reader.stats();
        let mb = reader.position() as f64 / 1e6;
        println!("{arg}: {}", reader.format());
        for i in reader.interfaces() {
            println!(
                "  interface {} (section {}, id {}): {} snaplen {} tsresol {} packets {}{}{}",
                i.index,
                i.section,
                i.id_in_section,
                i.link_type,
                i.snaplen,
                i.tsresol,
                i.packets,
                i.name
                    .as_deref()
                    .map(|n| format!(" name {n}"))
                    .unwrap_or_default(),
                i.if_drop
                    .map(|d| format!(" ifdrop {d}"))
                    .unwrap_or_default(),
            );
        }
        println!(
            "  records {} captured {} original {} errors {} skipped bytes {} unknown blocks {}",
            s.records,
            s.captured_bytes,
            s.original_bytes,
            s.errors,
            s.skipped_bytes,
            s.unknown_blocks
        );
        println!(
            "  {mb:.1} MB in {secs:.3} s = {:.0} MB/s (checksum {checksum:x})",
            mb / secs.max(1e-9)
        );
    }
    status
}

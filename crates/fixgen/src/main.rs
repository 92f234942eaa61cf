//! `cargo run -p portmatrix-fixgen [-- --check] [--root DIR]`: writes the
//! synthetic fixtures, or checks that the committed ones are up to date.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("portmatrix-fixgen: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let mut check = false;
    let mut root = portmatrix_fixgen::workspace_root();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--root" => match args.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => bail!("--root needs a directory"),
            },
            "-h" | "--help" => {
                println!(
                    "usage: portmatrix-fixgen [--check] [--root DIR]\n\n\
                     Writes fixtures/{{pcap,pcapng,malformed,demo,verdicts,expected}} and fixtures/README.md\n\
                     under the workspace root. --check compares instead of writing and exits 1\n\
                     when a committed file differs from a fresh generation."
                );
                return Ok(ExitCode::SUCCESS);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    let outputs = portmatrix_fixgen::generate();
    if check {
        let problems = portmatrix_fixgen::check_all(&root, &outputs)?;
        if problems.is_empty() {
            println!("{} files up to date", outputs.len());
            return Ok(ExitCode::SUCCESS);
        }
        for p in &problems {
            eprintln!("{p}");
        }
        eprintln!("run `cargo run -p portmatrix-fixgen` to regenerate");
        return Ok(ExitCode::from(1));
    }
    portmatrix_fixgen::write_all(&root, &outputs)?;
    println!("wrote {} files under {}", outputs.len(), root.display());
    Ok(ExitCode::SUCCESS)
}

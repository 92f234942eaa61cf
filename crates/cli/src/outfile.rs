//! The file of `live --write FILE`, written so that no one else's file is
//! damaged and a half-written capture never sits under FILE:
//!
//! - an existing FILE (a symbolic link counts, and is not followed) is
//!   refused before the capture starts, unless `--force`;
//! - packets go to a temporary file in FILE's folder (`.NAME.XXXXXX.part`,
//!   permissions as for a new file), which is renamed to FILE at the end:
//!   one rename in one file system, so FILE is either absent or whole;
//! - without `--force` the rename does not replace a FILE that appeared
//!   during the capture (another run writing the same path): that is an
//!   error, and the capture stays in the temporary file, which is named;
//! - on an error before the end the temporary file is removed.

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use tempfile::TempPath;

/// A capture being written to a temporary file, to be renamed to its target.
#[derive(Debug)]
pub struct OutputFile {
    target: PathBuf,
    temp: TempPath,
    force: bool,
}

impl OutputFile {
    /// Checks `target` and creates the temporary file beside it.
    ///
    /// # Errors
    /// `target` exists (without `force`), names a folder, or its folder
    /// takes no new file.
    pub fn create(target: &Path, force: bool) -> anyhow::Result<(OutputFile, File)> {
        let shown = portmatrix_rules::sanitize(&target.display().to_string());
        let Some(name) = target.file_name() else {
            bail!("cannot write {shown}: not a file name");
        };
        match std::fs::symlink_metadata(target) {
            Ok(m) if m.is_dir() => bail!("cannot write {shown}: it is a folder"),
            Ok(m) if !force => {
                let what = if m.file_type().is_symlink() {
                    "a symbolic link"
                } else {
                    "a file"
                };
                bail!("{shown} exists ({what}); give --force to replace it");
            }
            _ => {}
        }
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut prefix = OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".part");
        #[cfg(unix)]
        {
            // As File::create: 0666 less the umask (tempfile's default is 0600).
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let temp = builder
            .tempfile_in(folder)
            .with_context(|| format!("cannot create a file in the folder of {shown}"))?;
        let (file, temp) = temp.into_parts();
        Ok((
            OutputFile {
                target: target.to_path_buf(),
                temp,
                force,
            },
            file,
        ))
    }

    /// Where the capture is written until [`OutputFile::commit`].
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Renames the finished capture to its target (its data must be
    /// flushed and `file` synced by the caller).
    ///
    /// # Errors
    /// The rename failed; without `--force`, also when the target appeared
    /// meanwhile. The capture is then kept in the temporary file, and the
    /// error names it.
    pub fn commit(self) -> anyhow::Result<()> {
        let shown = portmatrix_rules::sanitize(&self.target.display().to_string());
        let result = if self.force {
            self.temp.persist(&self.target)
        } else {
            self.temp.persist_noclobber(&self.target)
        };
        match result {
            Ok(()) => Ok(()),
            Err(e) => {
                let kept = e.path.keep().ok();
                let kept = kept
                    .map(|p| {
                        format!(
                            "; the capture is kept in {}",
                            portmatrix_rules::sanitize(&p.display().to_string())
                        )
                    })
                    .unwrap_or_default();
                if e.error.kind() == io::ErrorKind::AlreadyExists {
                    bail!("{shown} was created by someone else during the capture (give --force to replace it){kept}");
                }
                bail!("cannot rename the capture to {shown}: {}{kept}", e.error);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn write(out: OutputFile, mut file: File, bytes: &[u8]) -> anyhow::Result<()> {
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        out.commit()
    }

    #[test]
    fn the_target_appears_whole_at_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("cap.pcapng");
        let (out, file) = OutputFile::create(&target, false).unwrap();
        let temp = out.temp_path().to_path_buf();
        assert_eq!(temp.parent(), Some(dir.path()));
        assert!(!target.exists(), "nothing under the name before the end");
        write(out, file, b"whole").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
        assert!(!temp.exists());
    }

    #[test]
    fn an_existing_file_is_refused_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("cap.pcapng");
        std::fs::write(&target, b"theirs").unwrap();
        let e = OutputFile::create(&target, false).unwrap_err();
        assert!(
            e.to_string().contains("exists (a file); give --force"),
            "{e}"
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"theirs");
        // With --force it is replaced at the end.
        let (out, file) = OutputFile::create(&target, true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"theirs");
        write(out, file, b"ours").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"ours");
        // Only the target is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_refused_and_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let link = dir.path().join("cap.pcapng");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let e = OutputFile::create(&link, false).unwrap_err();
        assert!(e.to_string().contains("a symbolic link"), "{e}");
        // --force replaces the link itself; what it pointed to is untouched.
        let (out, file) = OutputFile::create(&link, true).unwrap();
        write(out, file, b"capture").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&link).unwrap(), b"capture");
    }

    #[test]
    fn a_target_made_during_the_capture_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("cap.pcapng");
        let (first, first_file) = OutputFile::create(&target, false).unwrap();
        let (second, second_file) = OutputFile::create(&target, false).unwrap();
        write(first, first_file, b"first run").unwrap();
        let e = write(second, second_file, b"second run")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("was created by someone else during the capture"),
            "{e}"
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"first run");
        // The second capture is kept, under the name the error gives.
        let kept = e.rsplit("the capture is kept in ").next().unwrap();
        assert_eq!(std::fs::read(kept).unwrap(), b"second run");
    }

    #[test]
    fn an_abandoned_capture_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("cap.pcapng");
        let (out, file) = OutputFile::create(&target, false).unwrap();
        drop(file);
        drop(out);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_folder_that_takes_no_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = OutputFile::create(&dir.path().join("no/such/cap.pcapng"), false).unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot create a file in the folder of"),
            "{e}"
        );
        let e = OutputFile::create(dir.path(), true).unwrap_err();
        assert!(e.to_string().contains("it is a folder"), "{e}");
    }
}

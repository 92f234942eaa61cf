//! `check` on SIGINT (Ctrl-C), SIGTERM and SIGHUP: stop reading, finish the
//! analysis of what was read, write the whole report marked as
//! interrupted, and exit with 128 + the signal's number (130, 143, 129), as
//! a shell reports a process ended by that signal (`docs/verdicts.md`).
//! A second signal while the report is being finished ends the process at
//! once, with 128 + that signal's number.
//!
//! Reading stops between `read()` calls. A pipe, FIFO or terminal (`tcpdump
//! -w - | portmatrix check -`) may never deliver another byte, so such an
//! input is polled with a timeout and the stop is seen within
//! [`POLL_INTERVAL`] even when nothing arrives; a FIFO is opened without
//! waiting for its writer, so a signal ends that wait too.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use portmatrix_capture::{CaptureReader, Error, ErrorKind};

/// Longest wait of a read on a pipe before the stop flag is looked at again.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// The signals that end a `check` early.
#[cfg(unix)]
const SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
];

/// Which signal arrived first (0: none yet).
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    first: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Installs the handlers.
    ///
    /// # Errors
    /// A handler could not be installed.
    #[cfg(unix)]
    pub fn install() -> io::Result<Interrupt> {
        let me = Interrupt::default();
        let armed = Arc::new(AtomicBool::new(false));
        for sig in SIGNALS {
            // Order matters: the shutdown first (it fires only once armed),
            // then arming, then recording the first signal.
            let status = 128 + sig;
            signal_hook::flag::register_conditional_shutdown(sig, status, Arc::clone(&armed))?;
            signal_hook::flag::register(sig, Arc::clone(&armed))?;
            let first = Arc::clone(&me.first);
            // Keep the first signal's number: a later one ends the process
            // above before this runs again.
            signal_hook::flag::register_usize(sig, first, sig as usize)?;
        }
        Ok(me)
    }

    /// No handlers where signals do not exist.
    #[cfg(not(unix))]
    pub fn install() -> io::Result<Interrupt> {
        Ok(Interrupt::default())
    }

    /// The signal that arrived, if one did.
    pub fn signal(&self) -> Option<i32> {
        match self.first.load(Ordering::SeqCst) {
            0 => None,
            n => i32::try_from(n).ok(),
        }
    }

    /// Whether a signal arrived.
    pub fn is_set(&self) -> bool {
        self.first.load(Ordering::SeqCst) != 0
    }

    /// The exit status for `signal`: 128 + its number.
    pub fn exit_status(signal: i32) -> u8 {
        u8::try_from(128 + signal).unwrap_or(u8::MAX)
    }

    /// The conventional name of `signal`.
    pub fn name(signal: i32) -> String {
        #[cfg(unix)]
        {
            match signal {
                signal_hook::consts::SIGINT => return "SIGINT".into(),
                signal_hook::consts::SIGTERM => return "SIGTERM".into(),
                signal_hook::consts::SIGHUP => return "SIGHUP".into(),
                _ => {}
            }
        }
        format!("signal {signal}")
    }
}

/// A file or standard input that reads as ended once a signal arrived.
pub struct Stoppable {
    file: File,
    /// Not a regular file: wait for data with `poll`, a bounded wait.
    poll: bool,
    interrupt: Interrupt,
}

impl Read for Stoppable {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.interrupt.is_set() {
                return Ok(0);
            }
            if !self.poll || readable(&self.file)? {
                return self.file.read(buf);
            }
        }
    }
}

/// Waits up to [`POLL_INTERVAL`] for `file` to have data, an end or an error.
#[cfg(unix)]
fn readable(file: &File) -> io::Result<bool> {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    let timeout = Timespec {
        tv_sec: 0,
        tv_nsec: i64::try_from(POLL_INTERVAL.as_nanos()).unwrap_or(100_000_000),
    };
    let mut fds = [PollFd::new(file, PollFlags::IN)];
    match poll(&mut fds, Some(&timeout)) {
        Ok(n) => Ok(n > 0),
        Err(rustix::io::Errno::INTR) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(unix))]
fn readable(_file: &File) -> io::Result<bool> {
    Ok(true)
}

/// Opens a capture file, or standard input for `-`, as
/// [`CaptureReader::open`] does, with reads that end at a signal.
///
/// # Errors
/// As [`CaptureReader::open`].
pub fn open(path: &Path, interrupt: &Interrupt) -> Result<CaptureReader<Stoppable>, Error> {
    let opened = if path.as_os_str() == "-" {
        stdin_file()
    } else {
        open_file(path)
    };
    let file = opened.map_err(|e| Error {
        file_offset: 0,
        record: None,
        kind: ErrorKind::Open {
            kind: e.kind(),
            message: lowercase_first(&e.to_string()),
        },
        fatal: true,
    })?;
    let poll = !file.metadata().is_ok_and(|m| m.is_file());
    CaptureReader::new(Stoppable {
        file,
        poll,
        interrupt: interrupt.clone(),
    })
}

/// Opens `path` for reading. A FIFO is opened without waiting for its
/// writer (`O_NONBLOCK`, then cleared): a plain open() waits until a writer
/// comes, and a signal would not end that wait; the wait is then done by
/// `poll` in [`Stoppable::read`], which a signal ends.
#[cfg(unix)]
fn open_file(path: &Path) -> io::Result<File> {
    use rustix::fs::{fcntl_getfl, fcntl_setfl, Mode, OFlags};
    use std::os::unix::fs::FileTypeExt;
    let fifo = std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo());
    if !fifo {
        return File::open(path);
    }
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    fcntl_setfl(&fd, fcntl_getfl(&fd)? - OFlags::NONBLOCK)?;
    Ok(File::from(fd))
}

#[cfg(not(unix))]
fn open_file(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Standard input as a file of its own (a duplicate of descriptor 0), so
/// that it can be polled.
#[cfg(unix)]
fn stdin_file() -> io::Result<File> {
    use std::os::fd::AsFd;
    Ok(File::from(io::stdin().as_fd().try_clone_to_owned()?))
}

#[cfg(windows)]
fn stdin_file() -> io::Result<File> {
    use std::os::windows::io::AsHandle;
    Ok(File::from(io::stdin().as_handle().try_clone_to_owned()?))
}

/// Operating-system messages start with a capital; the capture crate's do not.
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_is_128_plus_the_signal() {
        // POSIX numbers of these three signals (the same on every Unix).
        assert_eq!(Interrupt::exit_status(2), 130);
        assert_eq!(Interrupt::exit_status(15), 143);
        assert_eq!(Interrupt::exit_status(1), 129);
    }

    #[cfg(unix)]
    #[test]
    fn a_stopped_pipe_reads_as_ended_without_data() {
        // A pipe whose writer stays open and silent: read() would block.
        let (reader, _writer) = rustix::pipe::pipe().unwrap();
        let interrupt = Interrupt::default();
        let mut s = Stoppable {
            file: File::from(reader),
            poll: true,
            interrupt: interrupt.clone(),
        };
        interrupt.first.store(15, Ordering::SeqCst);
        let mut buf = [0u8; 16];
        assert_eq!(s.read(&mut buf).unwrap(), 0);
        assert_eq!(interrupt.signal(), Some(15));
    }
}

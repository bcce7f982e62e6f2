//! The `ccplan` command line. Everything lives in the `cli` module; `main` only maps the
//! outcome to an exit code: 0 success, 1 runtime error, 2 usage error. A closed output pipe
//! (`ccplan plan … | head -1`) ends the program quietly with 0.

mod cli;

fn main() -> std::process::ExitCode {
    keep_freed_memory();
    cli::run()
}

/// glibc serves allocations of 128 KiB and more with their own `mmap` and gives them back to
/// the kernel when freed, so a run that reads a 2 MB chain file, parses it and analyses the
/// chain touches fresh pages for each big buffer in turn: on a virtual machine each page fault
/// costs microseconds, and a 5,000-contract `suggest` spent about a third of its time in them.
/// Served from the heap instead, a freed buffer is reused by what follows. Now that a large
/// chain file is mapped rather than read into a buffer (`fsutil::read_text_mapped`), the
/// buffers are the parse's rows and lists: about 150 page faults and 0.25 ms fewer on that
/// run (7.64 -> 7.39 ms). A command is short-lived, so memory kept by the heap is not a
/// concern.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    /// glibc's `M_MMAP_THRESHOLD` (malloc.h).
    const M_MMAP_THRESHOLD: i32 = -3;
    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // SAFETY: `mallopt` only changes a malloc tuning parameter; it is called before any other
    // thread exists, and any value of the threshold is valid (glibc caps it at 32 MiB on
    // 64-bit targets and returns 0 for a value it refuses).
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

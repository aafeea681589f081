//! Giving freed memory back to the operating system between the phases of a corpus build.
//!
//! glibc's allocator keeps memory that threads freed in per-thread arenas and returns only the
//! top of each heap to the system. Reading a large bibliography frees many small temporary
//! values on the parsing threads (entries, field strings, merge tables), and that memory stayed
//! resident for the whole session: at 100,000 entries `malloc_trim` after the load took the
//! server from 292 to 223 MB (issue 11). Trimming between phases also lowers the peak, since the
//! next phase's temporaries reuse what the system already holds instead of landing on top of it.
//!
//! This is the crate's one `unsafe` call outside the tests' counting allocator (see
//! ARCHITECTURE.md): `malloc_trim` takes no pointers, locks each arena itself and is safe to
//! call from any thread at any time. Other C libraries return freed memory on their own; the
//! call is a no-op there.

/// Returns the free memory of every allocator arena to the system, where the allocator keeps
/// it (glibc). Costs a walk over the heap: call it after a phase that freed a lot, not per
/// request.
pub fn release_free_memory() {
    let started = std::time::Instant::now();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `malloc_trim` reads no memory of ours; glibc serialises it with each arena's lock.
    unsafe {
        libc::malloc_trim(0);
    }
    tracing::debug!("free memory given back in {:?}", started.elapsed());
}

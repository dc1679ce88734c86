//! Handing freed heap memory back to the system.

/// Returns the allocator's free pages to the system. A poll of a cluster of
/// 10,000 pods decodes tens of megabytes (the metrics list, pages of objects)
/// and drops them at once; glibc keeps such memory in the arena of whichever
/// worker thread ran the poll, so without this the console's RSS climbs to the
/// high-water mark of every worker and stays there. Costs a few milliseconds
/// per call; elsewhere than glibc it does nothing.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own heap under its own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

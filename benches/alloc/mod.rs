//! A counting global allocator for the benchmarks, to report the heap a built corpus keeps, and
//! for `tests/memory.rs`, which bounds the heap of an open document. Both include it with
//! `#[path = "alloc/mod.rs"] mod alloc;`. Counting is switched on only around memory
//! measurements (`COUNTING`): a shared counter updated by every allocation
//! on every thread would slow the timed parallel code it measures. This is the only unsafe
//! code of the project (`GlobalAlloc` is an unsafe trait); the library denies unsafe code.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub struct Counting;
/// Bytes allocated and not yet freed while counting was on.
pub static LIVE: AtomicUsize = AtomicUsize::new(0);
pub static COUNTING: AtomicBool = AtomicBool::new(false);
/// The most `LIVE` has been while counting was on (reset it by storing `LIVE`'s value).
pub static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed).wrapping_add(layout.size());
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
    /// Forwarded as a reallocation, as without counting: the default (a new block, a copy,
    /// the old block freed) would count both blocks at once where the system allocator shrinks
    /// in place (`bibtex::read_releasing` shrinks a large text as it reads it).
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let res = unsafe { System.realloc(ptr, layout, new_size) };
        if COUNTING.load(Ordering::Relaxed) && !res.is_null() {
            if new_size >= layout.size() {
                let grown = new_size - layout.size();
                let live = LIVE.fetch_add(grown, Ordering::Relaxed).wrapping_add(grown);
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        res
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

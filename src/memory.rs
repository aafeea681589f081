//! Giving freed memory back to the operating system between the phases of a corpus build, and
//! backing the memory a corpus keeps with huge pages once it is built.
//!
//! glibc's allocator keeps memory that threads freed in per-thread arenas and returns only the
//! top of each heap to the system. Reading a large bibliography frees many small temporary
//! values on the parsing threads (entries, field strings, merge tables), and that memory stayed
//! resident for the whole session: at 100,000 entries `malloc_trim` after the load took the
//! server from 292 to 223 MB (issue 11). Trimming between phases also lowers the peak, since the
//! next phase's temporaries reuse what the system already holds instead of landing on top of it.
//!
//! `malloc_trim` takes no pointers, locks each arena itself and is safe to call from any thread
//! at any time. Other C libraries return freed memory on their own; the call is a no-op there.
//!
//! A request after a pause pays for every page it touches that was not touched lately. On the
//! virtual machines this project is measured on, a 4 KiB page left alone for a second costs
//! 10–90 µs at its next touch, with the host's load (`benches/README.md`, "After a pause"), and
//! an edit's diagnostics at a 10,000-entry corpus touched ~1.3 MB of heap and 1.1 MB of code:
//! most of the 5–14 ms an edit took after a pause, against ~1 ms right after another.
//! [`back_with_huge_pages`] asks Linux to move the corpus's memory onto 2 MiB pages
//! (`MADV_COLLAPSE`, Linux 6.1), so that such a request touches a few pages instead of
//! hundreds. It only moves memory that is wholly resident already, so the resident size does
//! not grow.
//!
//! These are the crate's `unsafe` calls besides `fcntl` in `lsp/stdio.rs` and the tests'
//! counting allocator (see ARCHITECTURE.md).

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

/// What [`back_with_huge_pages`] did: 2 MiB stretches of anonymous memory found wholly
/// resident, and how many of them Linux moved onto huge pages.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HugePages {
    pub resident: usize,
    pub collapsed: usize,
}

/// Moves every wholly resident, 2 MiB-aligned stretch of the process's private anonymous
/// memory (the allocator's heaps, where the corpus lives) onto a huge page. Costs a copy of
/// that memory (~3 ms per 2 MiB on a busy machine): call it once a corpus is built, off the
/// requests' path. Does nothing where the kernel cannot (before Linux 6.1, huge pages turned
/// off, another system).
pub fn back_with_huge_pages() -> HugePages {
    let started = std::time::Instant::now();
    let done = huge_pages::collapse();
    tracing::debug!(
        "{} of {} resident 2 MiB stretches moved onto huge pages in {:?}",
        done.collapsed,
        done.resident,
        started.elapsed()
    );
    done
}

#[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
mod huge_pages {
    use super::HugePages;
    use std::fs::File;
    use std::io::{Read, Seek, SeekFrom};

    /// x86-64's base page; the huge page size is read from the kernel.
    const PAGE: usize = 4096;

    pub(super) fn collapse() -> HugePages {
        let mut done = HugePages::default();
        let Some(huge) = huge_page_size() else { return done };
        let (Ok(maps), Ok(mut pagemap)) =
            (std::fs::read_to_string("/proc/self/maps"), File::open("/proc/self/pagemap"))
        else {
            return done;
        };
        for start in stretches(&maps, huge) {
            if !resident(&mut pagemap, start, huge).unwrap_or(false) {
                continue;
            }
            done.resident += 1;
            #[allow(unsafe_code)]
            // SAFETY: `MADV_COLLAPSE` only changes which physical pages back the range, never
            // what a read of it returns or whether it is mapped. Another thread may unmap or
            // remap the range after `maps` was read; the call then collapses what is there or
            // fails, and is still harmless.
            let status = unsafe { libc::madvise(start as *mut libc::c_void, huge, libc::MADV_COLLAPSE) };
            if status == 0 {
                done.collapsed += 1;
            } else {
                let error = std::io::Error::last_os_error();
                // EINVAL: no MADV_COLLAPSE (Linux < 6.1) or huge pages turned off; nothing
                // later will do better.
                if error.raw_os_error() == Some(libc::EINVAL) {
                    tracing::debug!("no huge pages: {error}");
                    break;
                }
                tracing::debug!("a 2 MiB stretch at {start:#x} stays on small pages: {error}");
            }
        }
        done
    }

    /// The kernel's huge page size, when transparent huge pages are built in.
    fn huge_page_size() -> Option<usize> {
        let size = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size").ok()?;
        size.trim().parse().ok().filter(|&size: &usize| size > PAGE && size.is_power_of_two())
    }

    /// The starts of the `huge`-aligned stretches that lie wholly inside a private anonymous
    /// read-write mapping of `maps` (the text of `/proc/self/maps`): the allocator's heaps, and
    /// threads' stacks, which are never wholly resident and so stay as they are. Files and the
    /// main thread's stack are left out.
    pub(super) fn stretches(maps: &str, huge: usize) -> Vec<usize> {
        let mut starts = Vec::new();
        for line in maps.lines() {
            let mut fields = line.split_ascii_whitespace();
            let (Some(range), Some(permissions)) = (fields.next(), fields.next()) else { continue };
            let name = fields.nth(3).unwrap_or("");
            if permissions != "rw-p" || !(name.is_empty() || name == "[heap]") {
                continue;
            }
            let Some((from, to)) = range.split_once('-') else { continue };
            let (Ok(from), Ok(to)) = (usize::from_str_radix(from, 16), usize::from_str_radix(to, 16)) else {
                continue;
            };
            let mut start = from.next_multiple_of(huge);
            while start.checked_add(huge).is_some_and(|end| end <= to) {
                starts.push(start);
                start += huge;
            }
        }
        starts
    }

    /// Whether every page of `[start, start + len)` is in memory, by `/proc/self/pagemap`
    /// (one little-endian `u64` per page, bit 63 set when present).
    pub(super) fn resident(pagemap: &mut File, start: usize, len: usize) -> std::io::Result<bool> {
        let mut entries = vec![0u8; len / PAGE * 8];
        pagemap.seek(SeekFrom::Start((start / PAGE * 8) as u64))?;
        pagemap.read_exact(&mut entries)?;
        Ok(entries.chunks_exact(8).all(|entry| entry[7] & 0x80 != 0))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn stretches_are_the_aligned_parts_of_anonymous_read_write_mappings() {
            let maps = "\
55d35a4c5000-55d35ac07000 r-xp 00000000 fd:01 123 /usr/bin/refls
55d375e3b000-55d376100000 rw-p 00000000 00:00 0 [heap]
7f2168000000-7f21685ed000 rw-p 00000000 00:00 0
7f2170000000-7f2170600000 rw-p 00000000 00:00 0
7f2174000000-7f2174600000 rw-s 00000000 00:05 9 /dev/zero (deleted)
7f2178000000-7f2178400000 r--p 00000000 00:00 0
7f2179000000-7f2179400000 rw-p 00000000 fd:01 7 /tmp/data
7ffd1000000-7ffd1400000 rw-p 00000000 00:00 0 [stack]
";
            let huge = 2 << 20;
            assert_eq!(
                stretches(maps, huge),
                vec![0x7f2168000000, 0x7f2168200000, 0x7f2170000000, 0x7f2170200000, 0x7f2170400000,],
                "the heap holds no whole aligned stretch; the first arena's last 2 MiB is partly unmapped"
            );
            let heap_with_one = "55d375e00000-55d376000000 rw-p 00000000 00:00 0 [heap]\n";
            assert_eq!(stretches(heap_with_one, huge), vec![0x55d375e00000]);
        }

        #[test]
        fn a_stretch_is_resident_once_every_page_of_it_was_written() {
            let huge = 2 << 20;
            // A fresh anonymous mapping (no allocator memory that was touched before), twice
            // the size so that one aligned stretch lies inside it.
            let mut memory = memmap2::MmapMut::map_anon(2 * huge).unwrap();
            let start = (memory.as_ptr() as usize).next_multiple_of(huge);
            let mut pagemap = File::open("/proc/self/pagemap").unwrap();
            assert!(!resident(&mut pagemap, start, huge).unwrap(), "untouched memory is not resident");
            memory.fill(7);
            assert!(resident(&mut pagemap, start, huge).unwrap());
            let done = crate::memory::back_with_huge_pages();
            if huge_page_size().is_some() {
                assert!(done.resident >= 1, "the written stretch was found resident");
            } else {
                assert_eq!(done, HugePages::default(), "a kernel without huge pages is left alone");
            }
            // Linux may refuse (huge pages off, an old kernel); whatever it does, the bytes stay.
            assert!(done.collapsed <= done.resident);
            assert!(memory.iter().all(|&byte| byte == 7));
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64")))]
mod huge_pages {
    pub(super) fn collapse() -> super::HugePages {
        super::HugePages::default()
    }
}

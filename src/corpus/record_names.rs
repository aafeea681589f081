//! The names each record of a corpus answers to (its citation key first, then collision
//! suffixes, alias keys, `doi:…`, `pmid:…`, `pmcid:…`), all in one text buffer.
//!
//! A `Vec<String>` per record cost three allocations and ~130 bytes a record at 100,000
//! entries, kept for the corpus's life beside the name table built from it (issue 11). Here a
//! name costs its bytes and a `u32`, a record another `u32`.

/// See the module documentation. Records are numbered in the order they were pushed.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordNames {
    text: String,
    /// The end of each name in `text`; a name starts where the one before it ends.
    ends: Vec<u32>,
    /// `records[i]..records[i + 1]`: the names of record `i`, as positions in `ends`.
    records: Vec<u32>,
}

impl RecordNames {
    pub fn with_capacity(records: usize) -> RecordNames {
        let mut starts = Vec::with_capacity(records + 1);
        starts.push(0);
        RecordNames { text: String::new(), ends: Vec::new(), records: starts }
    }

    /// Adds the next record with these names.
    pub fn push<S: AsRef<str>>(&mut self, names: impl IntoIterator<Item = S>) {
        for name in names {
            self.push_name(&[name.as_ref()]);
        }
        self.end_record();
    }

    /// Adds one name, written as the concatenation of `parts` (`["doi:", doi]`), to the
    /// record being built; [`RecordNames::end_record`] ends it.
    pub fn push_name(&mut self, parts: &[&str]) {
        if self.records.is_empty() {
            self.records.push(0);
        }
        for part in parts {
            self.text.push_str(part);
        }
        self.ends.push(u32::try_from(self.text.len()).expect("under 4 GiB of names"));
    }

    /// Ends the record whose names were pushed since the last one ended (none is allowed).
    pub fn end_record(&mut self) {
        if self.records.is_empty() {
            self.records.push(0);
        }
        self.records.push(u32::try_from(self.ends.len()).expect("under 4 billion names"));
    }

    /// Whether every name and record lies inside the buffers (for names read from a file).
    pub fn is_whole(&self) -> bool {
        let ascending = |v: &[u32]| v.windows(2).all(|w| w[0] <= w[1]);
        ascending(&self.ends)
            && self.ends.last().is_none_or(|&end| end as usize == self.text.len())
            && self.ends.iter().all(|&end| self.text.is_char_boundary(end as usize))
            && self.records.first().is_none_or(|&first| first == 0)
            && ascending(&self.records)
            && self.records.last().is_none_or(|&last| last as usize == self.ends.len())
    }

    /// Drops the room the buffers grew into; called once all records are pushed.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.records.shrink_to_fit();
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.records.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The names of record `record`, its citation key first.
    pub fn of(&self, record: usize) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        let (first, last) = (self.records[record] as usize, self.records[record + 1] as usize);
        (first..last).map(move |n| self.name(n))
    }

    /// The citation key of record `record` (its first name), if it has any name.
    pub fn first(&self, record: usize) -> Option<&str> {
        self.of(record).next()
    }

    /// The names of every record, in record order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = impl ExactSizeIterator<Item = &str> + Clone + '_> + '_ {
        (0..self.len()).map(|i| self.of(i))
    }

    /// The number of names and of their bytes, over all records.
    pub fn totals(&self) -> (usize, usize) {
        (self.ends.len(), self.text.len())
    }

    /// The heap bytes held (for the memory benchmarks).
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + 4 * (self.ends.capacity() + self.records.capacity())
    }

    /// The positions of record `record`'s names (for [`RecordNames::name`]).
    pub fn positions(&self, record: usize) -> std::ops::Range<usize> {
        self.records[record] as usize..self.records[record + 1] as usize
    }

    /// The record of each name position, in position order (records without names own
    /// none): the name table's map from a name back to its record.
    pub fn owners(&self) -> Box<[u32]> {
        let mut owners = vec![0; self.ends.len()];
        for record in 0..self.len() {
            owners[self.positions(record)].fill(record as u32);
        }
        owners.into_boxed_slice()
    }

    /// The name at position `n`, counting over all records' names in order.
    pub fn name(&self, n: usize) -> &str {
        let start = if n == 0 { 0 } else { self.ends[n - 1] as usize };
        &self.text[start..self.ends[n] as usize]
    }
}

impl std::fmt::Debug for RecordNames {
    /// As the list of lists it stands for: `[["smith2020", "doi:10.1/x"], ["jones2019"]]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter().map(|names| names.collect::<Vec<_>>())).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_back_per_record_in_order() {
        let lists: Vec<Vec<&str>> =
            vec![vec!["smith2020", "doi:10.1/x"], vec![], vec!["müller2019"], vec!["", "pmid:1", "pmcid:PMC2"]];
        let mut names = RecordNames::with_capacity(lists.len());
        for list in &lists {
            names.push(list);
        }
        names.shrink_to_fit();
        assert_eq!(names.len(), 4);
        let back: Vec<Vec<&str>> = names.iter().map(Iterator::collect).collect();
        assert_eq!(back, lists);
        assert_eq!(names.first(0), Some("smith2020"));
        assert_eq!(names.first(1), None);
        assert_eq!(names.first(3), Some(""));
        assert_eq!(names.of(3).len(), 3);
        assert_eq!(*names.owners(), [0, 0, 2, 3, 3, 3], "record 1 has no names");
        assert_eq!(names.positions(2), 2..3);
        assert_eq!(names.name(2), "müller2019");
        assert_eq!(names.totals(), (6, "smith2020doi:10.1/xmüller2019pmid:1pmcid:PMC2".len()));
        assert_eq!(format!("{names:?}"), format!("{lists:?}"));
        assert!(RecordNames::default().is_empty());
        let mut pushed_to_default = RecordNames::default();
        pushed_to_default.push(["a"]);
        assert_eq!(pushed_to_default.first(0), Some("a"));
        let mut by_parts = RecordNames::default();
        by_parts.end_record();
        by_parts.push_name(&["smith2020"]);
        by_parts.push_name(&["doi:", "10.1/x"]);
        by_parts.end_record();
        assert_eq!(format!("{by_parts:?}"), r#"[[], ["smith2020", "doi:10.1/x"]]"#);
    }
}

//! Person names as citation lines write them: `Buckley, BJR, Newton, J and Watson, PM`
//! (repositories), `Smith, J. A., & Doe, B.` (APA), `Hickey DG, Brearley S, et al` (Vancouver),
//! `Deborah Ikhile` (given names first).
//!
//! Each parser accepts a whole list or nothing: a list that does not fit one shape exactly is
//! more likely prose than names, and prose must never become authors.

use std::sync::LazyLock;

use regex::Regex;

use crate::corpus::record::Person;

/// A parsed author list: the people, and whether it ended in "et al." / "and others".
#[derive(Debug, PartialEq)]
pub struct AuthorList {
    pub people: Vec<Person>,
    pub et_al: bool,
}

static INITIALS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\p{Lu}(?:\.|\.?-\p{Lu}\.?)?\s?){1,5}$").expect("valid regex"));

static FAMILY: LazyLock<Regex> = LazyLock::new(|| {
    // A family name: capitalised words, with particles (van, de, von…), apostrophes and hyphens.
    Regex::new(r"^(?:(?:van|von|de|der|den|del|della|di|da|du|dos|le|la|ter|ten)\s)*(?:\p{Lu}[\p{L}'’\-]*\p{Ll}[\p{L}'’\-]*)(?:[\s\-]\p{Lu}[\p{L}'’\-]*\p{Ll}[\p{L}'’\-]*)?$")
        .expect("valid regex")
});

static GIVEN_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\p{Lu}[\p{Ll}'’\-]+$|^\p{Lu}\.$").expect("valid regex"));

/// Writes initials the way CSL and the seed truth do: `BJR` and `B.J.R.` become `B. J. R.`.
pub fn format_initials(raw: &str) -> String {
    let letters: Vec<String> = raw
        .split(|c: char| c == '.' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .flat_map(|chunk| {
            if chunk.contains('-') {
                vec![format!("{chunk}.")]
            } else {
                chunk.chars().map(|c| format!("{c}.")).collect::<Vec<_>>()
            }
        })
        .collect();
    letters.join(" ")
}

fn strip_et_al(list: &str) -> (&str, bool) {
    let trimmed = list.trim().trim_end_matches('.').trim_end();
    for marker in [", et al", " et al", ", and others", " and others", ", et. al", " et. al"] {
        if let Some(rest) = trimmed.strip_suffix(marker) {
            return (rest.trim_end_matches(',').trim_end(), true);
        }
    }
    (trimmed, false)
}

/// `Family, Initials, Family, Initials and Family, Initials` (repository and APA styles).
pub fn parse_family_comma_initials(list: &str) -> Option<AuthorList> {
    let (list, et_al) = strip_et_al(list);
    let normalised = list.replace(", &", ",").replace(" & ", ", ").replace(" and ", ", ");
    let parts: Vec<&str> = normalised.split(',').map(str::trim).collect();
    if parts.len() < 2 || !parts.len().is_multiple_of(2) {
        return None;
    }
    let mut people = Vec::new();
    for pair in parts.chunks(2) {
        let (family, initials) = (pair[0], pair[1]);
        if !FAMILY.is_match(family) || !INITIALS.is_match(initials) {
            return None;
        }
        people.push(Person { family: family.to_owned(), given: format_initials(initials) });
    }
    Some(AuthorList { people, et_al })
}

/// `Family AB, Family C, et al` (Vancouver, as PubMed and medical journals write).
pub fn parse_family_space_initials(list: &str) -> Option<AuthorList> {
    let (list, et_al) = strip_et_al(list);
    let mut people = Vec::new();
    for item in list.split(',').map(str::trim) {
        let (family, initials) = item.rsplit_once(' ')?;
        if !FAMILY.is_match(family) || !INITIALS.is_match(initials) || initials.contains('.') {
            return None;
        }
        people.push(Person { family: family.to_owned(), given: format_initials(initials) });
    }
    (!people.is_empty()).then_some(AuthorList { people, et_al })
}

/// One name written given names first: `Deborah Ikhile`, `Jan van der Berg`, `J. A. Smith`.
pub fn parse_given_first(name: &str) -> Option<Person> {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() < 2 || words.len() > 5 {
        return None;
    }
    // The family name starts at the first particle after the given names, else it is the last word.
    let particles =
        ["van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "dos", "le", "la", "ter", "ten"];
    let family_start = (1..words.len()).find(|&i| particles.contains(&words[i])).unwrap_or(words.len() - 1);
    // Honorifics mark a name written in prose (acknowledgements, funding notes), never an
    // author line.
    let honorifics = ["Professor", "Prof", "Prof.", "Dr", "Dr.", "Mr", "Mrs", "Ms", "Sir", "Dame"];
    if honorifics.contains(&words[0]) {
        return None;
    }
    let given = &words[..family_start];
    let family = words[family_start..].join(" ");
    if !given.iter().all(|w| GIVEN_WORD.is_match(w)) || !FAMILY.is_match(&family) {
        return None;
    }
    Some(Person { family, given: given.join(" ") })
}

/// Several names written given names first, separated by commas, `and` or `&`.
pub fn parse_given_first_list(list: &str) -> Option<AuthorList> {
    let (list, et_al) = strip_et_al(list);
    let normalised = list.replace(", and ", ", ").replace(" and ", ", ").replace(" & ", ", ");
    let people: Option<Vec<Person>> = normalised.split(',').map(str::trim).map(parse_given_first).collect();
    let people = people?;
    (!people.is_empty()).then_some(AuthorList { people, et_al })
}

/// `Family, Given; Family, Given` (labelled author fields on repository and database pages).
pub fn parse_semicolon_list(list: &str) -> Option<AuthorList> {
    let (list, et_al) = strip_et_al(list);
    let mut people = Vec::new();
    for item in list.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (family, given) = item.split_once(',')?;
        let (family, given) = (family.trim(), given.trim());
        if !FAMILY.is_match(family) {
            return None;
        }
        let given = if INITIALS.is_match(given) {
            format_initials(given)
        } else if given.split_whitespace().all(|w| GIVEN_WORD.is_match(w)) {
            given.to_owned()
        } else {
            return None;
        };
        people.push(Person { family: family.to_owned(), given });
    }
    (!people.is_empty()).then_some(AuthorList { people, et_al })
}

/// Any of the list shapes above, tried from the most specific.
pub fn parse_any_list(list: &str) -> Option<AuthorList> {
    if list.contains(';') {
        return parse_semicolon_list(list);
    }
    parse_family_comma_initials(list)
        .or_else(|| parse_family_space_initials(list))
        .or_else(|| parse_given_first_list(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(list: Option<AuthorList>) -> String {
        match list {
            None => "none".to_owned(),
            Some(list) => {
                let mut res: Vec<String> = list.people.iter().map(|p| format!("{} / {}", p.family, p.given)).collect();
                if list.et_al {
                    res.push("et al".to_owned());
                }
                res.join("; ")
            }
        }
    }

    #[test]
    fn repository_style() {
        insta::assert_snapshot!(
            show(parse_family_comma_initials("Buckley, BJR, Newton, J, Knox, S, Noonan, B, Smith, M and Watson, PM")),
            @"Buckley / B. J. R.; Newton / J.; Knox / S.; Noonan / B.; Smith / M.; Watson / P. M."
        );
        insta::assert_snapshot!(show(parse_family_comma_initials("Smith, J. A., & Doe, B.")), @"Smith / J. A.; Doe / B.");
        insta::assert_snapshot!(show(parse_family_comma_initials("The aim of, the present study")), @"none");
    }

    #[test]
    fn vancouver_style() {
        insta::assert_snapshot!(
            show(parse_family_space_initials("Hickey G, Brearley S, Coldham T, et al")),
            @"Hickey / G.; Brearley / S.; Coldham / T.; et al"
        );
        insta::assert_snapshot!(show(parse_family_space_initials("MacGregor S")), @"MacGregor / S.");
        insta::assert_snapshot!(show(parse_family_space_initials("van der Berg JA, O'Brien K")), @"van der Berg / J. A.; O'Brien / K.");
        insta::assert_snapshot!(show(parse_family_space_initials("We invited 5 stakeholders")), @"none");
    }

    #[test]
    fn given_first() {
        insta::assert_snapshot!(show(parse_given_first_list("Deborah Ikhile et al")), @"Ikhile / Deborah; et al");
        insta::assert_snapshot!(show(parse_given_first_list("Jane Cloke, PhD")), @"none");
        insta::assert_snapshot!(show(parse_given_first_list("Professor Tara Fenwick and Sue Kilminster")), @"none");
    }

    #[test]
    fn semicolons() {
        insta::assert_snapshot!(show(parse_semicolon_list("Müller, Anna; Núñez, J.")), @"Müller / Anna; Núñez / J.");
    }
}

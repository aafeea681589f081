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

static GIVEN_WORD: LazyLock<Regex> = LazyLock::new(|| {
    // `Anna`, `Jean-Louis`, `Ki-Bum`, `Min-A`, `J.`, `F.G.A.`, and a bare initial `T` as bylines print it.
    Regex::new(r"^\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]*|-[\p{Ll}'’]+)*-?$|^(?:\p{Lu}\.)+$|^\p{Lu}$")
        .expect("valid regex")
});

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
        people.push(Person::new(family, format_initials(initials)));
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
        people.push(Person::new(family, format_initials(initials)));
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
    Some(Person::new(family, given.join(" ")))
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
        people.push(Person::new(family, given));
    }
    (!people.is_empty()).then_some(AuthorList { people, et_al })
}

/// Words of headlines and prose that no name holds. `and` itself separates names.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "for", "with", "about", "to", "from", "their", "our", "how", "what", "why",
    "is", "are",
];

/// Characters that mark affiliations or roles next to a name in a byline.
const MARKERS: &[char] = &['*', '†', '‡', '§', '¶', '☯', '⁎', '∗', '#', '✉'];

static ORCID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bORCID(?:\s+Icon)?\s*:?\s*(?:https?://)?(?:orcid\.org/)?(?:[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X])?",
    )
    .expect("valid regex")
});
// Greedy: an affiliation in parentheses may hold parentheses of its own (`(Department (DLIS), …)`).
static PARENTHESES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\(.*\)").expect("valid regex"));
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[0-9]{1,3}[.)]\s+").expect("valid regex"));

/// A byline as article pages print it: names given first, separated by commas, `and` or `&`,
/// each perhaps followed by affiliation markers (`Sung Myung 1,`, `Gomes1,2`, `Pons1☯*`,
/// `Verheijen a,b,⁎,1`, `Essam Mansour (Department of …)`, an ORCID link), the line perhaps
/// bulleted or numbered. Returns the people and whether any marker was seen (a marker is what
/// sets a byline apart from three capitalised words of site chrome). Accepts the whole line or
/// nothing.
pub fn parse_byline(line: &str) -> Option<(Vec<Person>, bool)> {
    parse_byline_as_written(line)
}

/// A byline whose names lost their separators with their links (see [`unglue_names`]). Asked
/// only of the line where a byline is expected, after [`parse_byline`] said no: most lines
/// asked about are not bylines, and are not worth a second reading.
pub fn parse_glued_byline(line: &str) -> Option<(Vec<Person>, bool)> {
    parse_byline_as_written(&unglue_names(line)?)
}

/// `Jaime IranzoItamar Sela` → `Jaime Iranzo, Itamar Sela`: a saved page that dropped the
/// separators between linked names glues one family name to the next given name. Split where
/// a word of three lower-case letters or more runs into a capital; `McGuigan` and `MacDonald`
/// stay whole. `None` when no word is glued.
fn unglue_names(line: &str) -> Option<String> {
    // A line that kept its commas kept its separators; and a byline of lost links is short.
    if line.len() > 120 || line.contains(',') {
        return None;
    }
    let mut lower_run = 0;
    let glued = line.chars().any(|c| {
        let joint = c.is_uppercase() && lower_run >= 3;
        lower_run = if c.is_lowercase() { lower_run + 1 } else { 0 };
        joint
    });
    if !glued {
        return None;
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut lower_run = 0;
    let mut glued = false;
    for c in line.chars() {
        if c.is_uppercase() && lower_run >= 3 {
            out.push_str(", ");
            glued = true;
        }
        lower_run = if c.is_lowercase() { lower_run + 1 } else { 0 };
        out.push(c);
    }
    glued.then_some(out)
}

fn parse_byline_as_written(line: &str) -> Option<(Vec<Person>, bool)> {
    let trimmed = line.trim();
    let mut text = trimmed.trim_start_matches(['•', '·', '–', '-']).trim_start();
    // A bulleted name is a list item of a byline, as a numbered one is.
    let mut marked = text.len() < trimmed.len();
    if let Some(m) = NUMBERED.find(text) {
        text = &text[m.end()..];
        marked = true;
    }
    if text.len() > 3000 || !text.starts_with(char::is_uppercase) || text.contains(';') {
        return None;
    }
    // Prose and headlines hold function words; names do not (`A Story About Rivers and Their
    // Banks` splits on `and` into name-like parts). Checked before any regex runs, because most
    // lines this is asked about are prose.
    // Words inside parentheses are an affiliation's, and skipped.
    let mut depth = 0i32;
    for word in text.split_whitespace() {
        let outside = depth == 0 && !word.contains('(');
        depth += word.matches('(').count() as i32 - word.matches(')').count() as i32;
        let w = word.trim_matches(|c: char| !c.is_alphabetic());
        // A capital `A` is an initial (`Wayne A. O’Connor`), the lower-case one a word.
        let function_word =
            w == "a" || w.len() >= 2 && w.len() <= 5 && FUNCTION_WORDS.iter().any(|f| w.eq_ignore_ascii_case(f));
        // An affiliation code may spell a word (`Möller an,`); it ends with a comma.
        if outside && function_word && !word.ends_with(',') {
            return None;
        }
    }
    let without_ids = ORCID.replace_all(text, " ");
    let without_parens = PARENTHESES.replace_all(&without_ids, " ");
    marked |= without_parens.len() != text.len();
    // `Rojas‐ Molina`: a typographic hyphen, and a space left where a line broke.
    let unbroken = without_parens.replace(['\u{2010}', '\u{2011}'], "-").replace("- ", "-");
    let normalised = unbroken.replace(" & ", ", ").replace(", and ", ", ").replace(" and ", ", ");
    // A bare initial is never the first given name (`A Story…`).
    let mut people = Vec::new();
    for item in normalised.split(',') {
        let (name, item_marked) = strip_markers(item);
        marked |= item_marked;
        if name.is_empty() {
            continue;
        }
        if name.split_whitespace().next().is_some_and(|w| w.chars().count() == 1) {
            return None;
        }
        people.push(parse_given_first(name)?);
    }
    (!people.is_empty()).then_some((people, marked))
}

/// Removes affiliation digits, marker symbols and letter codes from the end of one byline item.
fn strip_markers(item: &str) -> (&str, bool) {
    let particles = ["de", "da", "di", "du", "la", "le"];
    let original = item.trim();
    let mut name = original;
    loop {
        let before = name.len();
        name = name.trim_end_matches(|c: char| MARKERS.contains(&c) || ".&".contains(c) || c.is_whitespace());
        // Affiliation numbers are small; a longer number (a year, a page) is not a marker.
        let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if (1..=2).contains(&digits) {
            name = &name[..name.len() - digits];
        }
        let code = |w: &str| {
            (1..=2).contains(&w.len()) && w.chars().all(|c| c.is_ascii_lowercase()) && !particles.contains(&w)
        };
        match name.rsplit_once(' ') {
            Some((head, last)) if code(last) => name = head,
            None if code(name) => name = "",
            _ => {}
        }
        if name.len() == before {
            break;
        }
    }
    let removed = &original[name.len()..];
    let marked = removed.chars().any(|c| c.is_ascii_digit() || MARKERS.contains(&c) || c.is_ascii_lowercase());
    (name, marked)
}

/// A line holding only affiliation markers (`1,2,*,`, `3 and`): MDPI prints them under each name.
pub fn is_marker_line(text: &str) -> bool {
    let t = text.trim().trim_end_matches("and").trim();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || MARKERS.contains(&c) || ", ".contains(c))
}

/// `Family, Given, Given Family, and Given Family` (Chicago and MLA): the first author family
/// name first, the others given names first.
pub fn parse_chicago_list(list: &str) -> Option<AuthorList> {
    let (list, et_al) = strip_et_al(list);
    let (family, rest) = list.split_once(", ")?;
    let (given, others) = match rest.split_once(", ") {
        Some((given, others)) => (given, Some(others)),
        None => match rest.split_once(" and ") {
            Some((given, other)) => (given, Some(other)),
            None => (rest, None),
        },
    };
    let given = given.trim();
    if !FAMILY.is_match(family.trim())
        || given.is_empty()
        || !given.split_whitespace().all(|w| GIVEN_WORD.is_match(w) || INITIALS.is_match(w))
    {
        return None;
    }
    let mut people = vec![Person::new(family.trim(), given)];
    if let Some(others) = others {
        let others = others.trim().strip_prefix("and ").unwrap_or(others.trim());
        people.extend(parse_given_first_list(others)?.people);
    }
    Some(AuthorList { people, et_al })
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
                let mut res: Vec<String> =
                    list.people.iter().map(|p| format!("{} / {}", p.family(), p.given())).collect();
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
    fn bylines() {
        let show_byline = |line: &str| match parse_byline(line) {
            None => "none".to_owned(),
            Some((people, marked)) => format!(
                "{}{}",
                people.iter().map(|p| format!("{} / {}", p.family(), p.given())).collect::<Vec<_>>().join("; "),
                if marked { " (marked)" } else { "" }
            ),
        };
        insta::assert_snapshot!(show_byline("Ada Quill 1, Ben T Rook 2, Cy-Ra Moss 3,"), @"Quill / Ada; Rook / Ben T; Moss / Cy-Ra (marked)");
        insta::assert_snapshot!(show_byline("Ada Quill1,2, Ben Rook1☯*, and Cy Moss2"), @"Quill / Ada; Rook / Ben; Moss / Cy (marked)");
        insta::assert_snapshot!(show_byline("A.B.C. Quill a,b,⁎,1, D.E. Rook b"), @"Quill / A.B.C.; Rook / D.E. (marked)");
        insta::assert_snapshot!(show_byline("• Ada Quill ORCID: orcid.org/0000-0001-2345-6789 1 ,"), @"Quill / Ada (marked)");
        insta::assert_snapshot!(show_byline("Ada Quill (School of Rivers, Some University, Town)"), @"Quill / Ada (marked)");
        insta::assert_snapshot!(show_byline("Arial Georgia Verdana"), @"Verdana / Arial Georgia");
        insta::assert_snapshot!(show_byline("A study of rivers and lakes in the north"), @"none");
        insta::assert_snapshot!(show_byline("A Different Story About Rivers and Their Banks"), @"none");
        insta::assert_snapshot!(show_byline("College of Rivers, Some University, Town 1234, Country"), @"none");
        assert!(is_marker_line("1,2,*,") && is_marker_line("3 and") && !is_marker_line("Ada"));
    }

    #[test]
    fn glued_names_are_split_only_where_a_byline_needs_it() {
        let shown = |line: &str| {
            parse_byline(line).or_else(|| parse_glued_byline(line)).map(|(people, _)| {
                people.iter().map(|p| format!("{}, {}", p.family(), p.given())).collect::<Vec<_>>().join("; ")
            })
        };
        assert_eq!(shown("Ada QuillBen Rook").as_deref(), Some("Quill, Ada; Rook, Ben"));
        // Names with an inner capital are whole names.
        assert_eq!(shown("Ada McGuigan and Ben MacDonald").as_deref(), Some("McGuigan, Ada; MacDonald, Ben"));
        assert_eq!(shown("Ada FitzGerald").as_deref(), Some("FitzGerald, Ada"));
    }

    #[test]
    fn chicago_style() {
        insta::assert_snapshot!(
            show(parse_chicago_list("Quill-Moss, Ada, Ben Rook, Cy T. Moss, and Dee Lark")),
            @"Quill-Moss / Ada; Rook / Ben; Moss / Cy T.; Lark / Dee"
        );
        insta::assert_snapshot!(show(parse_chicago_list("Quill, Ada, and Ben Rook")), @"Quill / Ada; Rook / Ben");
        insta::assert_snapshot!(show(parse_chicago_list("Quill, Ada")), @"Quill / Ada");
        insta::assert_snapshot!(show(parse_chicago_list("Rivers, lakes, and the sea")), @"none");
    }

    #[test]
    fn semicolons() {
        insta::assert_snapshot!(show(parse_semicolon_list("Müller, Anna; Núñez, J.")), @"Müller / Anna; Núñez / J.");
    }
}

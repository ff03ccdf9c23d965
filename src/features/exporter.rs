//! Who wrote a file: Ovid, Scopus, Web of Science, the Cochrane Library…
//!
//! Nothing in RIS names its writer, but each exporter leaves marks: its
//! database names in `DB`/`DP`, its own URLs, accession-number prefixes, its
//! own tags, the lines it writes between records. Each piece is read on its
//! own (so an edit re-reads one piece); a file's exporter is the first that
//! its first pieces name ([`of_file`]).

use crate::syntax::{LineKind, Parse};

/// The exporter a piece's text points to, by the strongest mark it holds.
pub fn recognise(text: &str, parse: &Parse) -> Option<&'static str> {
    let mut found: Option<(u8, &'static str)> = None;
    let mut offer = |strength: u8, name: &'static str| {
        if found.is_none_or(|(best, _)| strength > best) {
            found = Some((strength, name));
        }
    };
    for line in &parse.lines {
        match &line.kind {
            LineKind::Tag(tag) => {
                let value = tag.value.text(text);
                match &tag.code {
                    b"DB" | b"DP" => {
                        if let Some(name) = database(value) {
                            offer(3, name);
                        }
                    }
                    b"AN" if value.starts_with("WOS:") => offer(3, "Web of Science"),
                    b"AN" if value.starts_with("CN-") => offer(3, "Cochrane Library"),
                    b"AN" if value.starts_with("pub.") => offer(2, "Dimensions"),
                    b"J9" | b"WE" => offer(3, "Web of Science"),
                    b"XT" => offer(3, "Ovid Embase"),
                    // IEEE writes the volume twice, as `VO` and `VL`.
                    b"VO" => offer(1, "IEEE Xplore"),
                    b"M1" if value.starts_with("Query date:") => offer(3, "Publish or Perish"),
                    b"L1" if value.starts_with("internal-pdf://") => offer(1, "EndNote"),
                    b"UR" | b"L2" | b"L3" => {
                        if let Some(name) = site(value) {
                            offer(2, name);
                        }
                    }
                    _ => {}
                }
            }
            LineKind::Stray => {
                let content = line.content.text(text).trim();
                if content.starts_with("Link to the Ovid Full Text") {
                    offer(2, "Ovid");
                } else if content.starts_with("Provider: John Wiley") {
                    offer(2, "Cochrane Library");
                }
            }
            _ => {}
        }
    }
    found.map(|(_, name)| name)
}

/// The exporter a `DB` or `DP` value names, with the database for Ovid.
fn database(value: &str) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    let ovid = lower.contains("ovid");
    Some(match () {
        _ if lower == "scopus" => "Scopus",
        _ if ovid && lower.contains("medline") => "Ovid MEDLINE",
        _ if ovid && lower.contains("embase") => "Ovid Embase",
        _ if ovid && lower.contains("psycinfo") => "Ovid PsycINFO",
        _ if ovid => "Ovid",
        _ if lower.contains("ebscohost") => "EBSCOhost",
        _ if lower.contains("proquest") => "ProQuest",
        _ if lower.contains("web of science") => "Web of Science",
        _ if lower.contains("cochrane") => "Cochrane Library",
        _ if lower.contains("scielo") => "SciELO",
        _ if lower == "embase" => "Embase",
        _ if lower.contains("ieee") => "IEEE Xplore",
        _ => return None,
    })
}

/// The exporter whose site a link points into.
fn site(value: &str) -> Option<&'static str> {
    const SITES: &[(&str, &str)] = &[
        ("scopus.com/", "Scopus"),
        ("ovidsp.ovid.com", "Ovid"),
        ("ebscohost.com/", "EBSCOhost"),
        ("proquest.com/", "ProQuest"),
        ("cochranelibrary.com/", "Cochrane Library"),
        ("embase.com/", "Embase"),
        ("ieeexplore.ieee.org/", "IEEE Xplore"),
        ("app.dimensions.ai/", "Dimensions"),
        ("lens.org/", "Lens.org"),
        ("webofscience.com/", "Web of Science"),
        ("<Go to ISI>://", "EndNote"),
    ];
    SITES
        .iter()
        .find(|(mark, _)| value.contains(mark))
        .map(|&(_, name)| name)
}

/// A file's exporter: the first one named by its first pieces' marks,
/// `pieces` in order. Looking no further than a few dozen pieces keeps it
/// cheap on any size of file; an export is one writer's throughout.
pub fn of_file<'a>(pieces: impl IntoIterator<Item = Option<&'a str>>) -> Option<&'a str> {
    pieces.into_iter().take(PIECES_LOOKED_AT).flatten().next()
}

/// How many pieces [`of_file`] reads.
pub const PIECES_LOOKED_AT: usize = 50;

/// "Ovid MEDLINE export, 1,000 records", or "1,000 records" when the
/// exporter is unknown: what a person sees of a file as a whole.
pub fn describe(exporter: Option<&str>, records: usize) -> String {
    let count = format!(
        "{} record{}",
        crate::checks::thousands(records),
        if records == 1 { "" } else { "s" }
    );
    match exporter {
        Some(name) => format!("{name} export, {count}"),
        None => count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn of(text: &str) -> Option<&'static str> {
        recognise(text, &syntax::parse(text))
    }

    #[test]
    fn marks_name_their_exporters() {
        assert_eq!(of("TY  - JOUR\nDB  - Scopus\nER  - \n"), Some("Scopus"));
        assert_eq!(
            of("TY  - JOUR\nDB  - Ovid MEDLINE(R) ALL\nER  -  \n\nLink to the Ovid Full Text or citation: x\n"),
            Some("Ovid MEDLINE")
        );
        assert_eq!(
            of("TY  - JOUR\nAN  - WOS:000082252000006\nER  -\n"),
            Some("Web of Science")
        );
        assert_eq!(
            of("TY  -  JOUR\nER  -  \n\nRecord #2 of 3\nProvider: John Wiley & Sons, Ltd\n"),
            Some("Cochrane Library")
        );
        assert_eq!(of("TY  - JOUR\nTI  - plain\nER  - \n"), None);
    }

    #[test]
    fn a_file_is_named_by_its_first_marks() {
        assert_eq!(of_file([None, Some("Scopus"), Some("Ovid")]), Some("Scopus"));
        assert_eq!(
            describe(Some("Ovid MEDLINE"), 1000),
            "Ovid MEDLINE export, 1,000 records"
        );
        assert_eq!(describe(None, 1), "1 record");
    }
}

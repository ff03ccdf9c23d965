use std::collections::HashSet;

use super::*;

fn standard_codes() -> HashSet<&'static str> {
    TYPES
        .iter()
        .filter(|t| !matches!(t.status, TypeStatus::Alias(_)))
        .map(|t| t.code)
        .collect()
}

#[test]
fn tag_codes_are_well_formed_and_unique() {
    let mut seen = HashSet::new();
    for tag in TAGS {
        let b = tag.code.as_bytes();
        assert_eq!(b.len(), 2, "tag {:?} is not two characters", tag.code);
        assert!(b[0].is_ascii_uppercase(), "tag {:?}", tag.code);
        assert!(b[1].is_ascii_uppercase() || b[1].is_ascii_digit(), "tag {:?}", tag.code);
        assert!(seen.insert(tag.code), "tag {} listed twice", tag.code);
    }
}

#[test]
fn tags_have_names_and_docs() {
    for tag in TAGS {
        assert!(!tag.name.is_empty(), "tag {} has no name", tag.code);
        assert!(!tag.doc.trim().is_empty(), "tag {} has no doc", tag.code);
        assert!(
            !tag.doc.contains("  ") && !tag.doc.contains('\n'),
            "tag {} doc is badly wrapped",
            tag.code
        );
    }
}

#[test]
fn ty_first_er_last() {
    assert_eq!(TAGS.first().map(|t| t.code), Some("TY"));
    assert_eq!(TAGS.last().map(|t| t.code), Some("ER"));
    assert_eq!(lookup_tag("TY").unwrap().format, ValueFormat::RefType);
    assert_eq!(lookup_tag("ER").unwrap().format, ValueFormat::Empty);
}

#[test]
fn type_codes_are_uppercase_and_unique() {
    let mut seen = HashSet::new();
    for ty in TYPES {
        assert!(!ty.code.is_empty());
        assert!(
            ty.code.bytes().all(|b| b.is_ascii_uppercase()),
            "type {:?} is not uppercase",
            ty.code
        );
        assert!(!ty.name.is_empty(), "type {} has no name", ty.code);
        assert!(seen.insert(ty.code), "type {} listed twice", ty.code);
    }
}

#[test]
fn exactly_56_standard_types() {
    assert_eq!(standard_codes().len(), 56);
    let from_2001 = TYPES.iter().filter(|t| t.status == TypeStatus::Spec2001).count();
    assert_eq!(from_2001, 35);
    assert!(lookup_type("STD").is_none());
}

#[test]
fn aliases_point_to_standard_codes() {
    let standard = standard_codes();
    for ty in TYPES {
        if let TypeStatus::Alias(target) = ty.status {
            assert!(
                standard.contains(target),
                "alias {} points to unknown {}",
                ty.code,
                target
            );
        }
    }
    assert_eq!(canonical_type("WEB"), "ELEC");
    assert_eq!(canonical_type("GRNT"), "GRANT");
    assert_eq!(canonical_type("UNPD"), "UNPB");
    assert_eq!(canonical_type("JOURN"), "JOUR");
    assert_eq!(canonical_type("JOUR"), "JOUR");
    assert_eq!(canonical_type("NOPE"), "NOPE");
}

#[test]
fn standard_types_come_sorted_before_aliases() {
    let first_alias = TYPES
        .iter()
        .position(|t| matches!(t.status, TypeStatus::Alias(_)))
        .unwrap();
    assert!(
        TYPES[first_alias..]
            .iter()
            .all(|t| matches!(t.status, TypeStatus::Alias(_)))
    );
    let codes: Vec<_> = TYPES[..first_alias].iter().map(|t| t.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted);
}

#[test]
fn per_type_lists_name_existing_standard_types() {
    let standard = standard_codes();
    for tag in TAGS {
        for (label, tys) in tag.labels {
            assert!(!label.is_empty(), "empty label in {}", tag.code);
            assert!(!tys.is_empty(), "label {label:?} of {} lists no type", tag.code);
            for ty in *tys {
                assert!(standard.contains(ty), "{}: unknown type {ty}", tag.code);
            }
        }
        if let Scope::AllExcept(excluded) = tag.scope {
            for ty in excluded {
                assert!(standard.contains(ty), "{}: unknown type {ty}", tag.code);
            }
        }
    }
}

#[test]
fn per_type_lists_are_consistent() {
    for tag in TAGS {
        let mut listed = HashSet::new();
        for (_, tys) in tag.labels {
            for ty in *tys {
                assert!(listed.insert(*ty), "{}: type {ty} labelled twice", tag.code);
            }
        }
        match tag.scope {
            Scope::AllExcept(excluded) => {
                assert!(tag.other_label.is_some(), "{}", tag.code);
                for ty in excluded {
                    assert!(!listed.contains(ty), "{}: {ty} both labelled and excluded", tag.code);
                }
            }
            Scope::OnlyListed => {
                assert!(tag.other_label.is_none(), "{}", tag.code);
                assert!(!tag.labels.is_empty(), "{}", tag.code);
            }
            Scope::Untyped => {
                assert!(tag.labels.is_empty() && tag.other_label.is_none(), "{}", tag.code);
                assert!(
                    matches!(tag.status, TagStatus::Legacy | TagStatus::Extension),
                    "{} is untyped but {:?}",
                    tag.code,
                    tag.status
                );
            }
            Scope::All => {}
        }
    }
}

#[test]
fn repeatable_tags() {
    let many: HashSet<_> = TAGS
        .iter()
        .filter(|t| t.repeat == Repeat::Many)
        .map(|t| t.code)
        .collect();
    let expected: HashSet<_> = [
        "AU", "A1", "A2", "A3", "A4", "ED", "TA", "KW", "UR", "L1", "L2", "L3", "L4", "N1",
        // Exporters' own, one line per value: Web of Science editions, Embase link terms.
        "WE", "XT",
    ]
    .into_iter()
    .collect();
    assert_eq!(many, expected);
    assert_eq!(lookup_tag("AU").unwrap().repeat, Repeat::Many);
    assert_eq!(lookup_tag("TI").unwrap().repeat, Repeat::Once);
}

#[test]
fn formats() {
    let fmt = |code| lookup_tag(code).unwrap().format;
    assert_eq!(fmt("PY"), ValueFormat::Year);
    assert_eq!(fmt("DA"), ValueFormat::Date);
    assert_eq!(fmt("Y1"), ValueFormat::Date);
    assert_eq!(fmt("A2"), ValueFormat::Name);
    assert_eq!(fmt("DO"), ValueFormat::Doi);
    assert_eq!(fmt("DI"), ValueFormat::Doi);
    assert_eq!(fmt("SN"), ValueFormat::StandardNumber);
    assert_eq!(fmt("L4"), ValueFormat::Link);
    assert_eq!(fmt("EP"), ValueFormat::Page);
    assert_eq!(fmt("ID"), ValueFormat::RefId);
    assert_eq!(fmt("T2"), ValueFormat::Text);
}

#[test]
fn statuses() {
    let status = |code| lookup_tag(code).unwrap().status;
    assert_eq!(status("TI"), TagStatus::Core);
    assert_eq!(status("DO"), TagStatus::Spec2011);
    assert_eq!(status("EP"), TagStatus::Legacy);
    assert_eq!(status("DI"), TagStatus::Extension);
    assert_eq!(status("LK"), TagStatus::Extension);
}

#[test]
fn type_specific_labels() {
    let t2 = lookup_tag("T2").unwrap();
    assert_eq!(t2.label_for("JOUR"), Some("Journal"));
    assert_eq!(t2.label_for("BOOK"), Some("Series Title"));
    assert_eq!(t2.label_for("THES"), Some("Academic Department"));
    assert_eq!(t2.label_for("JFULL"), Some("Journal"));

    let is = lookup_tag("IS").unwrap();
    assert_eq!(is.label_for("BOOK"), None);
    assert_eq!(is.label_for("JOUR"), Some("Issue"));
    assert_eq!(is.label_for("CHAP"), Some("Number of Volumes"));

    let py = lookup_tag("PY").unwrap();
    assert_eq!(py.label_for("CASE"), Some("Year Decided"));
    assert_eq!(py.label_for("JOUR"), Some("Year"));

    let au = lookup_tag("AU").unwrap();
    assert_eq!(au.label_for("PAT"), Some("Inventor"));
    assert_eq!(au.label_for("JOUR"), Some("Author"));
    assert_eq!(au.label_for("CASE"), None);

    assert_eq!(lookup_tag("CT").unwrap().label_for("FIGURE"), Some("Caption"));
    assert_eq!(lookup_tag("CT").unwrap().label_for("JOUR"), None);
    assert_eq!(lookup_tag("SV").unwrap().label_for("CHAP"), Some("Series Volume"));
    assert_eq!(lookup_tag("L4").unwrap().label_for("HEAR"), Some("URL"));
    assert_eq!(lookup_tag("DO").unwrap().label_for("MAP"), Some("DOI"));
    // Legacy tags have no per-type meaning: the generic name applies everywhere.
    let ep = lookup_tag("EP").unwrap();
    assert_eq!(ep.label_for("JOUR"), Some(ep.name));
}

#[test]
fn lookups() {
    assert!(lookup_tag("ZZ").is_none());
    assert!(lookup_tag("ti").is_none());
    assert_eq!(lookup_type("JOUR").unwrap().name, "Journal article");
    assert_eq!(lookup_type("ELEC").unwrap().name, "Web page");
    assert_eq!(lookup_type("THES").unwrap().name, "Thesis or dissertation");
    assert_eq!(lookup_type("WEB").unwrap().status, TypeStatus::Alias("ELEC"));
}

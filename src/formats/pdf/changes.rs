//! What the incremental updates after a signature changed, and whether each change is one
//! a signed PDF may receive without what it shows ceasing to be what was signed.
//!
//! Allowed after a signature (EN 319 142-1 clause 5.4: validation data and document
//! time-stamps are added in later incremental updates; ISO 32000-2 clause 12.8.2.2 on the
//! changes a DocMDP signature admits, where adding a DSS and document time-stamps is always
//! permitted):
//! - the Document Security Store and every object only it reaches (certificates, OCSP
//!   responses, CRLs, /VRI);
//! - a new signature field (a document time-stamp, a later signature): the field and its
//!   widget are new objects, the AcroForm's /Fields and the page's /Annots grow by it and by
//!   nothing else, and an empty signature field that receives its /V;
//! - the catalog gaining or changing /DSS, /AcroForm, /Extensions, /Version only;
//! - objects nothing of the signed document reaches (the document information dictionary,
//!   objects orphaned or new and unreferenced by what is shown).
//!
//! Anything else that the signed document's catalog reaches (page content, resources, the
//! page tree, annotations, form field values) is a modification after signing.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::PdfError;
use super::document::{Document, XrefEntry, revision_ends};
use super::object::{Dict, ObjRef, Object};

/// What a later revision did to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

/// One object a later revision added, changed or removed, and the verdict on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectChange {
    /// The revision (oldest first, 0 = the original file) that made the change.
    pub revision: usize,
    pub object: u32,
    pub kind: ChangeKind,
    /// `None` when allowed; otherwise what the change does to the signed document.
    pub violation: Option<String>,
    /// What the object is (`page`, `content stream`, `DSS`, `signature field`).
    pub role: String,
}

/// The changes after one signed revision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeReport {
    /// How many revisions follow the signed one.
    pub later_revisions: usize,
    pub changes: Vec<ObjectChange>,
}

impl ChangeReport {
    /// The changes that are modifications of the signed document.
    pub fn violations(&self) -> impl Iterator<Item = &ObjectChange> {
        self.changes.iter().filter(|c| c.violation.is_some())
    }

    pub fn modified(&self) -> bool {
        self.violations().next().is_some()
    }

    /// One line per violation, for reports.
    pub fn summary(&self) -> String {
        let lines: Vec<String> = self
            .violations()
            .map(|c| {
                format!(
                    "revision {}: object {} ({}) {}",
                    c.revision,
                    c.object,
                    c.role,
                    c.violation.as_deref().unwrap_or("")
                )
            })
            .collect();
        if lines.is_empty() {
            format!(
                "{} later revision(s), only validation data, document time-stamps or new signature fields added",
                self.later_revisions
            )
        } else {
            lines.join("; ")
        }
    }
}

/// Analyses every revision after `signed_revision` (an index into [`revision_ends`]).
pub fn analyse(file: &[u8], signed_revision: usize) -> Result<ChangeReport, PdfError> {
    let whole = Document::parse(file)?;
    let ends = revision_ends(file, &whole);
    let mut report = ChangeReport::default();
    if signed_revision + 1 >= ends.len() {
        return Ok(report);
    }
    report.later_revisions = ends.len() - signed_revision - 1;
    let mut previous = Document::parse(&file[..ends[signed_revision]])?;
    for (revision, end) in ends.iter().enumerate().skip(signed_revision + 1) {
        let current = if *end == file.len() {
            whole.clone()
        } else {
            Document::parse(&file[..*end])?
        };
        analyse_revision(&previous, &current, revision, &mut report)?;
        previous = current;
    }
    Ok(report)
}

fn analyse_revision(
    old: &Document,
    new: &Document,
    revision: usize,
    report: &mut ChangeReport,
) -> Result<(), PdfError> {
    let Some(section) = new.sections.first() else {
        return Ok(());
    };
    let protected = protected_objects(old)?;
    let old_root = old.trailer.get("Root").and_then(Object::as_ref);
    let new_root = new.trailer.get("Root").and_then(Object::as_ref);
    if old_root != new_root {
        report.changes.push(ObjectChange {
            revision,
            object: new_root.map_or(0, |r| r.num),
            kind: ChangeKind::Changed,
            violation: Some("replaces the document catalog (trailer /Root)".into()),
            role: "catalog".into(),
        });
        return Ok(());
    }
    let context = Context::new(old, new)?;
    for (num, entry) in &section.entries {
        if *num == 0 {
            continue;
        }
        let before = old.objects.get(num);
        let after = new.objects.get(num);
        let (kind, violation) = match (entry, before, after) {
            (XrefEntry::Free, None, _) => continue,
            (XrefEntry::Free, Some(_), _) | (_, Some(_), None) => (
                ChangeKind::Removed,
                protected
                    .contains(num)
                    .then(|| "removes an object the signed document uses".to_owned()),
            ),
            (_, None, Some(_)) => (ChangeKind::Added, None),
            (_, Some(b), Some(a)) if a == b => continue,
            (_, Some(b), Some(a)) => {
                let violation = if protected.contains(num) {
                    context.judge(*num, b, a)
                } else {
                    None
                };
                (ChangeKind::Changed, violation)
            }
            (_, None, None) => continue,
        };
        report.changes.push(ObjectChange {
            revision,
            object: *num,
            kind,
            violation,
            role: context.role(*num, after.or(before)),
        });
    }
    Ok(())
}

/// Every object the catalog reaches other than through /DSS: what the signed document is.
fn protected_objects(document: &Document) -> Result<BTreeSet<u32>, PdfError> {
    let mut seen = BTreeSet::new();
    let Some(root) = document.trailer.get("Root").and_then(Object::as_ref) else {
        return Ok(seen);
    };
    seen.insert(root.num);
    let mut queue = VecDeque::new();
    if let Some(catalog) = document.get(root).as_dict() {
        for (key, value) in catalog {
            if key != "DSS" {
                queue.push_back(value);
            }
        }
    }
    while let Some(object) = queue.pop_front() {
        match object {
            Object::Reference(r) if document.objects.contains_key(&r.num) && seen.insert(r.num) => {
                queue.push_back(document.get(*r));
            }
            Object::Array(items) => queue.extend(items.iter()),
            Object::Dictionary(d) => queue.extend(d.values()),
            Object::Stream(s) => queue.extend(s.dict.values()),
            _ => {}
        }
    }
    Ok(seen)
}

/// What the new revision's structure says about objects: which arrays are a page's /Annots
/// or the AcroForm's /Fields, which object is the AcroForm.
struct Context<'a> {
    old: &'a Document,
    new: &'a Document,
    root: u32,
    acro_form: Option<u32>,
    fields_arrays: BTreeSet<u32>,
    annots_arrays: BTreeSet<u32>,
    pages: BTreeSet<u32>,
    contents: BTreeSet<u32>,
    dss: BTreeSet<u32>,
}

impl<'a> Context<'a> {
    fn new(old: &'a Document, new: &'a Document) -> Result<Self, PdfError> {
        let root = new
            .trailer
            .get("Root")
            .and_then(Object::as_ref)
            .map_or(0, |r| r.num);
        let catalog = new.catalog()?;
        let acro_form = catalog
            .get("AcroForm")
            .and_then(Object::as_ref)
            .map(|r| r.num);
        let mut fields_arrays = BTreeSet::new();
        if let Some(form) = new.lookup(catalog, "AcroForm").and_then(Object::as_dict)
            && let Some(r) = form.get("Fields").and_then(Object::as_ref)
        {
            fields_arrays.insert(r.num);
        }
        let mut pages = BTreeSet::new();
        let mut annots_arrays = BTreeSet::new();
        let mut contents = BTreeSet::new();
        for (num, object) in new.objects.iter().chain(old.objects.iter()) {
            let Some(d) = object.as_dict() else { continue };
            if d.get("Type").and_then(Object::as_name) == Some("Page") {
                pages.insert(*num);
                if let Some(r) = d.get("Annots").and_then(Object::as_ref) {
                    annots_arrays.insert(r.num);
                }
                match d.get("Contents") {
                    Some(Object::Reference(r)) => {
                        contents.insert(r.num);
                    }
                    Some(Object::Array(a)) => {
                        contents.extend(a.iter().filter_map(Object::as_ref).map(|r| r.num))
                    }
                    _ => {}
                }
            }
        }
        let mut dss = BTreeSet::new();
        if let Some(r) = catalog.get("DSS").and_then(Object::as_ref) {
            dss.insert(r.num);
        }
        Ok(Self {
            old,
            new,
            root,
            acro_form,
            fields_arrays,
            annots_arrays,
            pages,
            contents,
            dss,
        })
    }

    fn role(&self, num: u32, object: Option<&Object>) -> String {
        if num == self.root {
            return "catalog".into();
        }
        if self.pages.contains(&num) {
            return "page".into();
        }
        if self.contents.contains(&num) {
            return "page content stream".into();
        }
        if self.dss.contains(&num) {
            return "DSS".into();
        }
        if Some(num) == self.acro_form {
            return "AcroForm".into();
        }
        if self.fields_arrays.contains(&num) {
            return "AcroForm /Fields".into();
        }
        if self.annots_arrays.contains(&num) {
            return "page /Annots".into();
        }
        let Some(object) = object else {
            return "object".into();
        };
        if let Some(d) = object.as_dict() {
            if d.get("FT").and_then(Object::as_name) == Some("Sig") {
                return "signature field".into();
            }
            if let Some(t) = d.get("Type").or(d.get("Subtype")).and_then(Object::as_name) {
                return format!("/{t} {}", object.kind());
            }
        }
        object.kind().into()
    }

    /// Why changing protected object `num` from `before` to `after` modifies the signed
    /// document, or `None` when the change is one the rules above allow.
    fn judge(&self, num: u32, before: &Object, after: &Object) -> Option<String> {
        if num == self.root {
            return self.judge_catalog(before, after);
        }
        if Some(num) == self.acro_form {
            return self.judge_acro_form(before.as_dict(), after.as_dict());
        }
        if self.fields_arrays.contains(&num) {
            return self.judge_grown_array(before, after, "AcroForm /Fields");
        }
        if self.annots_arrays.contains(&num) {
            return self.judge_grown_array(before, after, "page /Annots");
        }
        if let (Some(b), Some(a)) = (before.as_dict(), after.as_dict()) {
            if self.pages.contains(&num)
                && matches!(
                    (before, after),
                    (Object::Dictionary(_), Object::Dictionary(_))
                )
            {
                let changed = changed_keys(b, a);
                if changed.iter().all(|k| k == "Annots") {
                    let none = Object::Array(Vec::new());
                    let old = self.old.resolve(b.get("Annots").unwrap_or(&none));
                    let new = self.new.resolve(a.get("Annots").unwrap_or(&none));
                    return self.judge_grown_array(old, new, "page /Annots");
                }
                return Some(format!("changes the page's {}", keys_text(&changed)));
            }
            // An empty signature field being signed.
            if b.get("FT").and_then(Object::as_name) == Some("Sig") && !b.contains_key("V") {
                let changed = changed_keys(b, a);
                if changed.iter().all(|k| k == "V" || k == "AP") {
                    return None;
                }
                return Some(format!(
                    "changes the signature field's {}",
                    keys_text(&changed)
                ));
            }
        }
        Some(match (before, after) {
            (Object::Stream(b), Object::Stream(a)) if b.raw != a.raw => {
                "changes the stream's content".into()
            }
            (Object::Stream(_), Object::Stream(_)) => "changes the stream's dictionary".into(),
            (Object::Dictionary(b), Object::Dictionary(a)) => {
                format!("changes {}", keys_text(&changed_keys(b, a)))
            }
            _ => format!("replaces a {} with a {}", before.kind(), after.kind()),
        })
    }

    fn judge_catalog(&self, before: &Object, after: &Object) -> Option<String> {
        let (Some(b), Some(a)) = (before.as_dict(), after.as_dict()) else {
            return Some("the catalog is not a dictionary".into());
        };
        let changed = changed_keys(b, a);
        let disallowed: Vec<String> = changed
            .iter()
            .filter(|k| !matches!(k.as_str(), "DSS" | "AcroForm" | "Extensions" | "Version"))
            .cloned()
            .collect();
        if !disallowed.is_empty() {
            return Some(format!("changes the catalog's {}", keys_text(&disallowed)));
        }
        if changed.iter().any(|k| k == "AcroForm") {
            // A direct AcroForm, or a new reference to one: judged by its content.
            let old = self.old.lookup(b, "AcroForm").and_then(Object::as_dict);
            let new = self.new.lookup(a, "AcroForm").and_then(Object::as_dict);
            return self.judge_acro_form(old, new);
        }
        None
    }

    fn judge_acro_form(&self, before: Option<&Dict>, after: Option<&Dict>) -> Option<String> {
        let empty = Dict::new();
        let b = before.unwrap_or(&empty);
        let Some(a) = after else {
            return Some("removes the AcroForm".into());
        };
        let changed = changed_keys(b, a);
        let disallowed: Vec<String> = changed
            .iter()
            .filter(|k| !matches!(k.as_str(), "Fields" | "SigFlags"))
            .cloned()
            .collect();
        if !disallowed.is_empty() {
            return Some(format!("changes the AcroForm's {}", keys_text(&disallowed)));
        }
        if changed.iter().any(|k| k == "Fields") {
            let none = Object::Array(Vec::new());
            let old = self.old.resolve(b.get("Fields").unwrap_or(&none));
            let new = self.new.resolve(a.get("Fields").unwrap_or(&none));
            return self.judge_grown_array(old, new, "AcroForm /Fields");
        }
        None
    }

    /// An array may only grow, at its end, by references to signature fields or their widgets.
    fn judge_grown_array(&self, before: &Object, after: &Object, what: &str) -> Option<String> {
        let (Some(b), Some(a)) = (before.as_array(), after.as_array()) else {
            return Some(format!("{what} is not an array"));
        };
        if a.len() < b.len() || a[..b.len()] != *b {
            return Some(format!("{what} loses or reorders entries"));
        }
        for extra in &a[b.len()..] {
            let Some(r) = extra.as_ref() else {
                return Some(format!("{what} gains a direct {}", extra.kind()));
            };
            if self.old.objects.contains_key(&r.num) {
                return Some(format!(
                    "{what} gains object {}, which the signed document already had",
                    r.num
                ));
            }
            if !self.is_signature_field(r) {
                return Some(format!(
                    "{what} gains object {}, which is not a signature field",
                    r.num
                ));
            }
        }
        None
    }

    fn is_signature_field(&self, r: ObjRef) -> bool {
        let Some(d) = self.new.get(r).as_dict() else {
            return false;
        };
        if d.get("FT").and_then(Object::as_name) == Some("Sig") {
            return true;
        }
        // A widget whose parent field is a signature field.
        d.get("Subtype").and_then(Object::as_name) == Some("Widget")
            && d.get("Parent")
                .and_then(|p| self.new.resolve(p).as_dict())
                .and_then(|p| p.get("FT"))
                .and_then(Object::as_name)
                == Some("Sig")
    }
}

fn changed_keys(before: &Dict, after: &Dict) -> Vec<String> {
    let mut keys: BTreeMap<&String, ()> = BTreeMap::new();
    for k in before.keys().chain(after.keys()) {
        if before.get(k) != after.get(k) {
            keys.insert(k, ());
        }
    }
    keys.into_keys().cloned().collect()
}

fn keys_text(keys: &[String]) -> String {
    if keys.is_empty() {
        return "entries".into();
    }
    keys.iter()
        .map(|k| format!("/{k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::pdf::signatures::{self, SignatureKind};
    use crate::formats::pdf::writer::{self, CertificateText, SignatureRequest};

    fn signed_sample() -> Vec<u8> {
        let pdf = writer::certificate_pdf(&CertificateText {
            transcript: None,
            attachment: None,
            university: "Osaka Exemplar University".into(),
            graduate: "Taro Suzuki".into(),
            degree: "Bachelor of Letters".into(),
            conferred: 1_774_915_200,
        });
        let prepared = writer::prepare_signature(
            &pdf,
            &SignatureRequest {
                field: "Registrar".into(),
                kind: SignatureKind::Signature,
                sub_filter: "ETSI.CAdES.detached".into(),
                signing_time: Some(1_775_000_000),
                signer_name: None,
                reason: None,
                location: None,
                reserve: 32,
            },
        )
        .expect("prepared");
        // Structure only: the CMS is not checked here.
        prepared.fill(&[0x30, 0x00]).expect("fill")
    }

    #[test]
    fn nothing_after_the_signature_is_no_change() {
        let pdf = signed_sample();
        let report = analyse(&pdf, 1).expect("analysed");
        assert_eq!(report.later_revisions, 0);
        assert!(!report.modified());
    }

    #[test]
    fn a_dss_is_allowed_a_new_page_text_is_not() {
        let pdf = signed_sample();
        let with_dss = writer::add_dss(&pdf, &[vec![0x30, 0x00]], &[], &[], &[]).expect("dss");
        let report = analyse(&with_dss, 1).expect("analysed");
        assert_eq!(report.later_revisions, 1);
        assert!(!report.modified(), "{}", report.summary());

        let changed = writer::change_page_text(&with_dss, "Doctor of Philosophy").expect("fault");
        let report = analyse(&changed, 1).expect("analysed");
        assert!(report.modified());
        let violation = report.violations().next().expect("one");
        assert_eq!(violation.role, "page content stream");
        assert_eq!(violation.revision, 3);
        assert!(
            report.summary().contains("changes the stream's content"),
            "{}",
            report.summary()
        );
    }

    #[test]
    fn a_document_time_stamp_field_is_allowed() {
        let pdf = signed_sample();
        let prepared = writer::prepare_signature(
            &pdf,
            &SignatureRequest {
                field: "DocTS".into(),
                kind: SignatureKind::DocTimeStamp,
                sub_filter: "ETSI.RFC3161".into(),
                signing_time: None,
                signer_name: None,
                reason: None,
                location: None,
                reserve: 32,
            },
        )
        .expect("prepared");
        let stamped = prepared.fill(&[0x30, 0x00]).expect("fill");
        let report = analyse(&stamped, 1).expect("analysed");
        assert!(!report.modified(), "{}", report.summary());
        let doc = Document::parse(&stamped).expect("parses");
        let sigs = signatures::signatures(&stamped, &doc).expect("sigs");
        assert_eq!(sigs.len(), 2);
        assert_eq!(sigs[1].kind, SignatureKind::DocTimeStamp);
        assert_eq!(sigs[1].revision, Some(2));
    }

    #[test]
    fn changing_a_catalog_entry_is_a_modification() {
        let pdf = signed_sample();
        let mut update = writer::Update::new(&pdf).expect("update");
        let root = update.root().expect("root");
        let mut catalog = update.current(root).as_dict().cloned().expect("dict");
        catalog.insert("OpenAction".into(), Object::Array(vec![]));
        update.replace(root, Object::Dictionary(catalog));
        let changed = update.finish();
        let report = analyse(&changed, 1).expect("analysed");
        assert!(
            report.summary().contains("/OpenAction"),
            "{}",
            report.summary()
        );
    }
}

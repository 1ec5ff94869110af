//! The project's one extension namespace for infant-formula facts that CBV 2.0 has no word
//! for (formula registration, production licence, raw-milk test values, release
//! certificates, laboratory findings), and small builders for the extension values.
//!
//! Every such fact goes into a field in [`NAMESPACE`], never into free text, so a query
//! (`EQ_anxin:…`) or a rule can find it. Values are written as text: decimals keep the
//! spelling they were given in both syntaxes and in the event hash.

use anxin_epcis::{ExtValue, Extension, QName};

/// The namespace IRI of Anxin's infant-formula extension fields and master-data attributes.
pub const NAMESPACE: &str = "https://ns.anxin.org.cn/epcis/ifm/";
/// The prefix documents declare for [`NAMESPACE`].
pub const PREFIX: &str = "anxin";
/// The CBV master-data namespace (`cbvmda:` in the standard JSON-LD context).
pub const CBVMDA: &str = "urn:epcglobal:cbv:mda:";
/// The CBV master-data attribute IRI form (`urn:epcglobal:cbv:mda#name`).
pub const CBVMDA_ATTRIBUTE: &str = "urn:epcglobal:cbv:mda#";

/// A text field in [`NAMESPACE`].
pub fn text(local: &str, value: impl Into<String>) -> Extension {
    Extension::text(QName::new(NAMESPACE, local), value)
}

/// A structured field in [`NAMESPACE`] whose members are text fields.
pub fn object(local: &str, members: Vec<Extension>) -> Extension {
    Extension {
        name: QName::new(NAMESPACE, local),
        value: ExtValue::Object(members),
        attributes: Vec::new(),
    }
}

/// A CBV master-data field (`cbvmda:lotNumber`), for ILMD.
pub fn cbvmda(local: &str, value: impl Into<String>) -> Extension {
    Extension::text(QName::new(CBVMDA, local), value)
}

/// The text of a field of an extension object, if there is one.
pub fn field<'a>(extensions: &'a [Extension], namespace: &str, local: &str) -> Option<&'a str> {
    extensions.iter().find_map(|extension| {
        (extension.name.namespace == namespace && extension.name.local == local)
            .then_some(&extension.value)
            .and_then(|value| match value {
                ExtValue::Text(text) => Some(text.as_str()),
                _ => None,
            })
    })
}

/// The members of an object field in [`NAMESPACE`], if there is one.
pub fn members<'a>(extensions: &'a [Extension], local: &str) -> Option<&'a [Extension]> {
    extensions.iter().find_map(|extension| {
        (extension.name.namespace == NAMESPACE && extension.name.local == local)
            .then_some(&extension.value)
            .and_then(|value| match value {
                ExtValue::Object(members) => Some(members.as_slice()),
                _ => None,
            })
    })
}

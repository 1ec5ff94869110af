//! User extensions, kept losslessly: namespaced names, structured values, and the namespace
//! declarations of the document they came from.
//!
//! EPCIS lets any community add fields under its own namespace: in XML as elements (and, on
//! sensor elements, attributes) in that namespace, in JSON-LD as `prefix:name` members whose
//! prefix the document's `@context` declares. Both are held here as an [`Extension`] named by
//! its namespace IRI and local name, so that a JSON-LD member and the XML element it maps to
//! are the same value. The prefix a document happened to use is kept in [`Namespaces`] so the
//! writers can print the names the way the sender wrote them.
//!
//! This module does not interpret extension values: numbers stay as their lexical form and
//! `xsi:type` annotations stay attributes.

/// A namespaced name: the namespace IRI and the local part.
///
/// An XML element without a namespace has an empty `namespace`.
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct QName {
    /// The namespace IRI (`http://ns.example.com/epcis/`), or empty.
    pub namespace: String,
    /// The local name (`myField`).
    pub local: String,
}

impl QName {
    /// A name in `namespace`.
    pub fn new(namespace: impl Into<String>, local: impl Into<String>) -> QName {
        QName {
            namespace: namespace.into(),
            local: local.into(),
        }
    }

    /// The expanded form `{namespace}local` used by the event hash and in messages.
    pub fn expanded(&self) -> String {
        format!("{{{}}}{}", self.namespace, self.local)
    }
}

/// One extension field: a name, a value, and (XML only) the element's attributes.
#[derive(Clone, PartialEq, Debug)]
pub struct Extension {
    /// The field's name.
    pub name: QName,
    /// The field's value.
    pub value: ExtValue,
    /// XML attributes of the element other than namespace declarations (for example
    /// `xsi:type`), in document order. JSON-LD members have none.
    pub attributes: Vec<(QName, String)>,
}

impl Extension {
    /// An extension with a text value and no attributes.
    pub fn text(name: QName, text: impl Into<String>) -> Extension {
        Extension {
            name,
            value: ExtValue::Text(text.into()),
            attributes: Vec::new(),
        }
    }
}

/// The value of an extension field.
#[derive(Clone, PartialEq, Debug)]
pub enum ExtValue {
    /// Text (an XML element's text content, a JSON string).
    Text(String),
    /// A JSON number, kept as its lexical form so nothing is lost to floating point.
    Number(String),
    /// A JSON boolean.
    Bool(bool),
    /// A JSON `null`, or an empty XML element.
    Null,
    /// Nested fields (an XML element with child elements, a JSON object), in order.
    Object(Vec<Extension>),
    /// A JSON array. XML has no arrays: a repeated element is several [`Extension`]s with the
    /// same name, which the JSON-LD writer groups into one array.
    Array(Vec<ExtValue>),
}

/// A namespace prefix declared by a document.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Namespace {
    /// The prefix (`example`).
    pub prefix: String,
    /// The namespace IRI (`http://ns.example.com/epcis/`).
    pub iri: String,
}

/// The namespace declarations and JSON-LD context URLs of a document.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Namespaces {
    /// Declared prefixes, in the order the document declared them.
    pub prefixes: Vec<Namespace>,
    /// The JSON-LD context URLs the document named (empty for XML).
    pub context_urls: Vec<String>,
}

impl Namespaces {
    /// The IRI bound to `prefix`, if the document declared it.
    pub fn iri(&self, prefix: &str) -> Option<&str> {
        self.prefixes
            .iter()
            .rev()
            .find(|namespace| namespace.prefix == prefix)
            .map(|namespace| namespace.iri.as_str())
    }

    /// The prefix the document used for `iri`, if any.
    pub fn prefix(&self, iri: &str) -> Option<&str> {
        self.prefixes
            .iter()
            .find(|namespace| namespace.iri == iri)
            .map(|namespace| namespace.prefix.as_str())
    }

    /// Declares `prefix` for `iri` unless that exact declaration is already there.
    pub fn declare(&mut self, prefix: impl Into<String>, iri: impl Into<String>) {
        let (prefix, iri) = (prefix.into(), iri.into());
        if self.iri(&prefix) != Some(iri.as_str()) {
            self.prefixes.push(Namespace { prefix, iri });
        }
    }
}

/// True when two lists of extensions say the same thing once the syntactic differences
/// between JSON-LD and XML are set aside:
/// - repeated elements and JSON arrays are the same (`<a>1</a><a>2</a>` is `"a": ["1","2"]`);
/// - the order of differently named members does not matter (JSON objects are unordered);
/// - numbers and numeric text compare by value (`10`, `"10"` and `10.0` agree), booleans and
///   other text by their lexical form;
/// - `xsi:type` attributes are annotations, not values, and are ignored.
pub fn same_extensions(left: &[Extension], right: &[Extension]) -> bool {
    normalise(left) == normalise(right)
}

/// A syntax-neutral form of extension values, used only to compare meaning.
#[derive(PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Plain {
    Text(String),
    Object(Vec<(QName, Vec<Plain>)>),
}

fn normalise(extensions: &[Extension]) -> Vec<(QName, Vec<Plain>)> {
    let mut grouped: Vec<(QName, Vec<Plain>)> = Vec::new();
    for extension in extensions {
        let mut values = Vec::new();
        flatten_value(&extension.value, &mut values);
        for (name, value) in &extension.attributes {
            if name.local == "type" && name.namespace == XSI_NAMESPACE {
                continue;
            }
            values.push(Plain::Object(vec![(
                name.clone(),
                vec![Plain::Text(value.clone())],
            )]));
        }
        match grouped.iter_mut().find(|(name, _)| *name == extension.name) {
            Some((_, existing)) => existing.extend(values),
            None => grouped.push((extension.name.clone(), values)),
        }
    }
    for (_, values) in &mut grouped {
        values.sort();
    }
    grouped.sort();
    grouped
}

/// A value compared as a number when it reads as one: `20`, `20.0` and `2e1` are the same.
///
/// XML writes every value as text (`<ext:w xsi:type="xsd:double">20</ext:w>`) and a JSON-LD
/// twin may write the same value as a number (`20.0`) or a string (`"20"`), so numeric text is
/// compared by value, as the CBV 2.0 event hash does.
fn number(text: &str) -> Plain {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() => Plain::Text(value.to_string()),
        _ => Plain::Text(text.trim().to_owned()),
    }
}

fn flatten_value(value: &ExtValue, out: &mut Vec<Plain>) {
    match value {
        ExtValue::Text(text) | ExtValue::Number(text) => out.push(number(text)),
        ExtValue::Bool(flag) => out.push(Plain::Text(flag.to_string())),
        ExtValue::Null => out.push(Plain::Text(String::new())),
        ExtValue::Object(members) => out.push(Plain::Object(normalise(members))),
        ExtValue::Array(items) => {
            for item in items {
                flatten_value(item, out);
            }
        }
    }
}

/// True when `name` can be an XML element or attribute name without a prefix (an NCName,
/// XML Namespaces 1.0 §3): a letter or `_` first, then letters, digits, `-`, `.` and `_`.
///
/// JSON-LD allows any member name, but an extension field must be writable as XML too, so
/// the JSON-LD reader refuses names that are not NCNames and the XML writer never uses such
/// a prefix.
pub fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '\u{B7}'))
}

/// The XML Schema instance namespace (`xsi:type`).
pub const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

#[cfg(test)]
mod tests {
    use super::*;

    fn name(local: &str) -> QName {
        QName::new("http://example.com/ext1/", local)
    }

    #[test]
    fn repeated_elements_mean_the_same_as_an_array() {
        let xml_like = vec![
            Extension::text(name("array"), "12"),
            Extension::text(name("array"), "22"),
        ];
        let json_like = vec![Extension {
            name: name("array"),
            value: ExtValue::Array(vec![
                ExtValue::Text("12".into()),
                ExtValue::Number("22".into()),
            ]),
            attributes: Vec::new(),
        }];
        assert!(same_extensions(&xml_like, &json_like));
    }

    #[test]
    fn a_different_value_is_a_different_meaning() {
        let left = vec![Extension::text(name("a"), "1")];
        let right = vec![Extension::text(name("a"), "2")];
        assert!(!same_extensions(&left, &right));
    }

    #[test]
    fn namespaces_find_prefixes_both_ways() {
        let mut namespaces = Namespaces::default();
        namespaces.declare("example", "http://ns.example.com/epcis/");
        namespaces.declare("example", "http://ns.example.com/epcis/");
        assert_eq!(namespaces.prefixes.len(), 1);
        assert_eq!(
            namespaces.iri("example"),
            Some("http://ns.example.com/epcis/")
        );
        assert_eq!(
            namespaces.prefix("http://ns.example.com/epcis/"),
            Some("example")
        );
    }
}

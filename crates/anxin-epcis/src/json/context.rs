//! What the JSON-LD contexts of EPCIS documents define, known without the network.
//!
//! An EPCIS JSON-LD document names its context by URL (`https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld`)
//! and adds inline objects that declare its own namespace prefixes (`{"example": "http://ns.example.com/epcis/"}`).
//! This module is the project's own table of the context URLs that EPCIS documents use, the
//! prefixes each of them declares and the member names (terms) the EPCIS contexts define, plus
//! the rules for turning a member name such as `example:myField` into a [`QName`].
//!
//! It deliberately does not implement JSON-LD: it never fetches a context, expands a document
//! or interprets term definitions beyond prefixes. The reader interprets the standard members by
//! their EPCIS names; a context only matters here for the prefixes that extension members use.

use crate::cbv::Vocabulary;
use crate::ext::QName;

/// The context URL the writer names: the ratified EPCIS 2.0.0 context.
pub(crate) const STANDARD_CONTEXT_URL: &str =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/// How a known context shapes a document.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ContextKind {
    /// The full EPCIS 2.0 context: every EPCIS term, CBV words per field, protected.
    Epcis,
    /// GS1's simplified context: the same terms, with `@vocab`-based values, protected.
    EpcisSimple,
    /// One of the per-vocabulary contexts the EPCIS context was assembled from; it defines
    /// the bare words of one CBV vocabulary and the prefix those words expand with.
    Words(Vocabulary),
}

/// A context URL this project knows the meaning of.
#[derive(Debug)]
pub(crate) struct KnownContext {
    /// The URL as documents write it.
    pub url: &'static str,
    /// What it is.
    pub kind: ContextKind,
    /// The prefixes it declares.
    pub prefixes: &'static [(&'static str, &'static str)],
}

/// The prefixes the full EPCIS 2.0 context declares.
const EPCIS_PREFIXES: &[(&str, &str)] = &[
    ("epcis", "https://ref.gs1.org/epcis/"),
    ("cbv", "https://ref.gs1.org/cbv/"),
    ("cbvmda", "urn:epcglobal:cbv:mda:"),
    ("gs1", "https://gs1.org/voc/"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("dcterms", "http://purl.org/dc/terms/"),
];

/// The simplified context declares the same prefixes plus two more.
const SIMPLE_PREFIXES: &[(&str, &str)] = &[
    ("epcis", "https://ref.gs1.org/epcis/"),
    ("cbv", "https://ref.gs1.org/cbv/"),
    ("gs1", "https://gs1.org/voc/"),
    ("vtype", "urn:epcglobal:epcis:vtype:"),
    ("cbvmda", "urn:epcglobal:cbv:mda:"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("dcterms", "http://purl.org/dc/terms/"),
];

const CBV_PREFIX: &[(&str, &str)] = &[("cbv", "https://ref.gs1.org/cbv/")];
const GS1_PREFIX: &[(&str, &str)] = &[("gs1", "https://gs1.org/voc/")];

/// Every context URL the EPCIS 2.0 standard, GS1's published examples and GS1's development
/// repository use. The unversioned ref.gs1.org URL redirects to the current version, which
/// is 2.0.0. All of them mark their definitions `@protected`, so a document may not give
/// their prefixes another meaning after naming one of them.
pub(crate) const KNOWN_CONTEXTS: &[KnownContext] = &[
    KnownContext {
        url: STANDARD_CONTEXT_URL,
        kind: ContextKind::Epcis,
        prefixes: EPCIS_PREFIXES,
    },
    KnownContext {
        url: "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
        kind: ContextKind::Epcis,
        prefixes: EPCIS_PREFIXES,
    },
    KnownContext {
        url: "https://gs1.github.io/EPCIS/epcis-context.jsonld",
        kind: ContextKind::Epcis,
        prefixes: EPCIS_PREFIXES,
    },
    KnownContext {
        url: "https://gs1.github.io/EPCIS/epcis-context-simple.jsonld",
        kind: ContextKind::EpcisSimple,
        prefixes: SIMPLE_PREFIXES,
    },
    KnownContext {
        url: "https://gs1.github.io/EPCIS/cbv-context-bizstep.jsonld",
        kind: ContextKind::Words(Vocabulary::BizStep),
        prefixes: CBV_PREFIX,
    },
    KnownContext {
        url: "https://gs1.github.io/EPCIS/cbv-context-disposition.jsonld",
        kind: ContextKind::Words(Vocabulary::Disposition),
        prefixes: CBV_PREFIX,
    },
    KnownContext {
        url: "https://gs1.github.io/EPCIS/cbv-context-biztransaction-type.jsonld",
        kind: ContextKind::Words(Vocabulary::BizTransactionType),
        prefixes: CBV_PREFIX,
    },
    KnownContext {
        url: "https://gs1.github.io/EPCIS/cbv-context-sourcedest-type.jsonld",
        kind: ContextKind::Words(Vocabulary::SourceDestType),
        prefixes: CBV_PREFIX,
    },
    KnownContext {
        url: "https://gs1.github.io/EPCIS/cbv-context-error-reason.jsonld",
        kind: ContextKind::Words(Vocabulary::ErrorReason),
        prefixes: CBV_PREFIX,
    },
    KnownContext {
        url: "https://gs1.github.io/EPCIS/cbv-context-component.jsonld",
        kind: ContextKind::Words(Vocabulary::Component),
        prefixes: CBV_PREFIX,
    },
    KnownContext {
        url: "https://gs1.github.io/EPCIS/gs1-context-measurement-type.jsonld",
        kind: ContextKind::Words(Vocabulary::MeasurementType),
        prefixes: GS1_PREFIX,
    },
    KnownContext {
        url: "https://gs1.github.io/EPCIS/gs1-context-sensor-alert-type.jsonld",
        kind: ContextKind::Words(Vocabulary::SensorAlertType),
        prefixes: GS1_PREFIX,
    },
];

/// The context this project knows under `url`, if any.
pub(crate) fn known_context(url: &str) -> Option<&'static KnownContext> {
    KNOWN_CONTEXTS.iter().find(|known| known.url == url.trim())
}

/// The IRI a prefix of the standard EPCIS context stands for.
///
/// These prefixes are assumed even before (or without) the document's `@context`, because
/// both EPCIS contexts declare them identically and protect them from redefinition.
pub(crate) fn standard_prefix_iri(prefix: &str) -> Option<&'static str> {
    EPCIS_PREFIXES
        .iter()
        .find(|(name, _)| *name == prefix)
        .map(|(_, iri)| *iri)
}

/// The prefix the standard EPCIS context declares for `iri`, if any.
pub(crate) fn standard_prefix_for(iri: &str) -> Option<&'static str> {
    EPCIS_PREFIXES
        .iter()
        .find(|(_, candidate)| *candidate == iri)
        .map(|(name, _)| *name)
}

impl KnownContext {
    /// The IRI this context declares for `prefix`, if it declares it.
    pub fn prefix_iri(&self, prefix: &str) -> Option<&'static str> {
        self.prefixes
            .iter()
            .find(|(name, _)| *name == prefix)
            .map(|(_, iri)| *iri)
    }
}

/// Declares the member names the EPCIS contexts define, as an enum so that readers dispatch
/// on a small integer rather than on strings.
macro_rules! members {
    ($($variant:ident => $name:literal,)*) => {
        /// A member name defined by the EPCIS contexts (or a JSON-LD keyword EPCIS uses).
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub(crate) enum Member {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl Member {
            /// Every term, in declaration order.
            pub const ALL: &'static [Member] = &[$(Member::$variant,)*];

            /// The name as written in documents.
            pub fn name(self) -> &'static str {
                match self {
                    $(Member::$variant => $name,)*
                }
            }

            /// The term written `name`, if it is one.
            pub fn from_name(name: &str) -> Option<Member> {
                match name {
                    $($name => Some(Member::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

members! {
    Context => "@context",
    Type => "type",
    Id => "id",
    SchemaVersion => "schemaVersion",
    CreationDate => "creationDate",
    Sender => "sender",
    Receiver => "receiver",
    InstanceIdentifier => "instanceIdentifier",
    EpcisHeader => "epcisHeader",
    EpcisBody => "epcisBody",
    EpcisMasterData => "epcisMasterData",
    VocabularyList => "vocabularyList",
    VocabularyElementList => "vocabularyElementList",
    Attributes => "attributes",
    Attribute => "attribute",
    Children => "children",
    EventList => "eventList",
    QueryResults => "queryResults",
    QueryName => "queryName",
    SubscriptionId => "subscriptionID",
    ResultsBody => "resultsBody",
    EventTime => "eventTime",
    EventTimeZoneOffset => "eventTimeZoneOffset",
    RecordTime => "recordTime",
    EventId => "eventID",
    CertificationInfo => "certificationInfo",
    ErrorDeclaration => "errorDeclaration",
    DeclarationTime => "declarationTime",
    Reason => "reason",
    CorrectiveEventIds => "correctiveEventIDs",
    Action => "action",
    ParentId => "parentID",
    EpcList => "epcList",
    ChildEpcs => "childEPCs",
    InputEpcList => "inputEPCList",
    OutputEpcList => "outputEPCList",
    QuantityList => "quantityList",
    ChildQuantityList => "childQuantityList",
    InputQuantityList => "inputQuantityList",
    OutputQuantityList => "outputQuantityList",
    EpcClass => "epcClass",
    Quantity => "quantity",
    Uom => "uom",
    TransformationId => "transformationID",
    BizStep => "bizStep",
    Disposition => "disposition",
    PersistentDisposition => "persistentDisposition",
    Set => "set",
    Unset => "unset",
    ReadPoint => "readPoint",
    BizLocation => "bizLocation",
    BizTransactionList => "bizTransactionList",
    BizTransaction => "bizTransaction",
    SourceList => "sourceList",
    Source => "source",
    DestinationList => "destinationList",
    Destination => "destination",
    SensorElementList => "sensorElementList",
    SensorMetadata => "sensorMetadata",
    SensorReport => "sensorReport",
    Time => "time",
    StartTime => "startTime",
    EndTime => "endTime",
    DeviceId => "deviceID",
    DeviceMetadata => "deviceMetadata",
    RawData => "rawData",
    DataProcessingMethod => "dataProcessingMethod",
    BizRules => "bizRules",
    Exception => "exception",
    Microorganism => "microorganism",
    ChemicalSubstance => "chemicalSubstance",
    Value => "value",
    Component => "component",
    StringValue => "stringValue",
    BooleanValue => "booleanValue",
    HexBinaryValue => "hexBinaryValue",
    UriValue => "uriValue",
    MinValue => "minValue",
    MaxValue => "maxValue",
    MeanValue => "meanValue",
    SDev => "sDev",
    PercRank => "percRank",
    PercValue => "percValue",
    CoordinateReferenceSystem => "coordinateReferenceSystem",
    Ilmd => "ilmd",
}

/// A member name that differs from `name` only in letter case, for "did you mean" hints.
pub(crate) fn similar_member(name: &str) -> Option<Member> {
    Member::ALL
        .iter()
        .copied()
        .find(|member| member.name().eq_ignore_ascii_case(name))
}

/// What a prefixed or absolute member name refers to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NameKind<'a> {
    /// A compact IRI `prefix:local`; the prefix still has to be looked up.
    Curie {
        /// The part before the first colon.
        prefix: &'a str,
        /// The part after it.
        local: &'a str,
    },
    /// An absolute IRI, already split into namespace and local name.
    Absolute(QName),
    /// A name without a colon: a term, or an unqualified XML name.
    Bare,
}

/// Classifies a member name.
///
/// JSON-LD reads `a:b` as a compact IRI unless the part after the colon starts with `//`
/// (then it is an absolute IRI such as `http://…`). URNs are absolute IRIs too: nobody
/// declares `urn` as a prefix. An absolute IRI is split after its last `/` or `#` (for a
/// URN without either, after its last `:`), which is how a namespace IRI ends by convention.
pub(crate) fn classify_name(name: &str) -> NameKind<'_> {
    let Some((prefix, local)) = name.split_once(':') else {
        return NameKind::Bare;
    };
    if local.starts_with("//") || prefix.eq_ignore_ascii_case("urn") {
        let split = name
            .rfind(['/', '#'])
            .filter(|at| *at > prefix.len())
            .or_else(|| name.rfind(':'))
            .map_or(name.len(), |at| at + 1);
        let (namespace, local) = name.split_at(split);
        return NameKind::Absolute(QName::new(namespace, local));
    }
    NameKind::Curie { prefix, local }
}

/// Expands a compact IRI value with the CBV and GS1 prefixes, so that `cbv:Comp-latitude`
/// can be recognised as the standard word it stands for. Other values come back unchanged.
pub(crate) fn expand_standard_value(value: &str) -> Option<String> {
    let (prefix, rest) = value.split_once(':')?;
    if prefix != "cbv" || rest.starts_with("//") {
        return None;
    }
    standard_prefix_iri(prefix).map(|iri| format!("{iri}{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_context_url_of_the_examples_is_known() {
        for url in [
            "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
            "https://gs1.github.io/EPCIS/epcis-context.jsonld",
            "https://gs1.github.io/EPCIS/epcis-context-simple.jsonld",
        ] {
            let known = known_context(url).expect(url);
            assert!(
                known
                    .prefixes
                    .contains(&("cbvmda", "urn:epcglobal:cbv:mda:"))
            );
        }
        assert!(known_context("https://example.com/other.jsonld").is_none());
    }

    #[test]
    fn names_are_classified_the_way_json_ld_reads_them() {
        assert_eq!(
            classify_name("example:myField"),
            NameKind::Curie {
                prefix: "example",
                local: "myField"
            }
        );
        assert_eq!(
            classify_name("http://ns.example.com/epcis/myField"),
            NameKind::Absolute(QName::new("http://ns.example.com/epcis/", "myField"))
        );
        assert_eq!(
            classify_name("urn:example:ns:field"),
            NameKind::Absolute(QName::new("urn:example:ns:", "field"))
        );
        assert_eq!(classify_name("bizStep"), NameKind::Bare);
    }

    #[test]
    fn every_member_name_reads_back() {
        for member in Member::ALL {
            assert_eq!(Member::from_name(member.name()), Some(*member));
        }
        assert_eq!(similar_member("bizstep"), Some(Member::BizStep));
    }
}

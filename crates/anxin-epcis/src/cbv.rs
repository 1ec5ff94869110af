//! CBV 2.0 vocabularies: the standard words for business steps, dispositions, business
//! transaction types, source/destination types, error reasons, sensor components, sensor
//! measurement types and sensor alert types.
//!
//! A field that takes a vocabulary holds a [`Term`]: either one of the standard words (kept
//! as a `&'static str` from the lists below, so it costs no allocation) or any other URI a
//! community defined for itself. JSON-LD writes standard words bare (`"shipping"`), XML writes
//! them as CBV URNs (`urn:epcglobal:cbv:bizstep:shipping`), and the event hash uses the web
//! URI (`https://ref.gs1.org/cbv/BizStep-shipping`); all three mean the same term.
//! This module does not decide which forms a given syntax allows; the codecs do.

use std::fmt;

/// The CBV 2.0 vocabularies a [`Term`] may come from.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Vocabulary {
    /// Business steps (`bizStep`), CBV 2.0 §7.1.
    BizStep,
    /// Dispositions (`disposition`, `persistentDisposition`), CBV 2.0 §7.2.
    Disposition,
    /// Business transaction types (`bizTransactionList/type`), CBV 2.0 §7.3.
    BizTransactionType,
    /// Source and destination types (`sourceList/type`, `destinationList/type`), CBV 2.0 §7.4.
    SourceDestType,
    /// Error reasons (`errorDeclaration/reason`), CBV 2.0 §7.5.
    ErrorReason,
    /// Sensor report components (`sensorReport/component`), CBV 2.0 §7.6.
    Component,
    /// Sensor measurement types (`sensorReport/type`), from the GS1 Web Vocabulary.
    MeasurementType,
    /// Sensor alert types (`sensorReport/exception`), from the GS1 Web Vocabulary.
    SensorAlertType,
}

/// The standard CBV 2.0 business steps.
pub const BIZ_STEPS: &[&str] = &[
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "sampling",
    "sensor_reporting",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
];

/// The standard CBV 2.0 dispositions.
pub const DISPOSITIONS: &[&str] = &[
    "active",
    "available",
    "completeness_verified",
    "completeness_inferred",
    "conformant",
    "container_closed",
    "container_open",
    "damaged",
    "destroyed",
    "dispensed",
    "disposed",
    "encoded",
    "expired",
    "in_progress",
    "in_transit",
    "inactive",
    "mismatch_instance",
    "mismatch_class",
    "mismatch_quantity",
    "needs_replacement",
    "no_pedigree_match",
    "non_conformant",
    "non_sellable_other",
    "partially_dispensed",
    "recalled",
    "reserved",
    "retail_sold",
    "returned",
    "sellable_accessible",
    "sellable_not_accessible",
    "stolen",
    "unavailable",
    "unknown",
];

/// The standard CBV 2.0 business transaction types.
pub const BIZ_TRANSACTION_TYPES: &[&str] = &[
    "bol",
    "cert",
    "desadv",
    "inv",
    "pedigree",
    "po",
    "poc",
    "prodorder",
    "recadv",
    "rma",
    "testprd",
    "testres",
    "upevt",
];

/// The standard CBV 2.0 source/destination types.
pub const SOURCE_DEST_TYPES: &[&str] = &["owning_party", "possessing_party", "location"];

/// The standard CBV 2.0 error reasons.
pub const ERROR_REASONS: &[&str] = &["did_not_occur", "incorrect_data"];

/// The standard CBV 2.0 sensor components.
pub const COMPONENTS: &[&str] = &[
    "x",
    "y",
    "z",
    "axial_distance",
    "azimuth",
    "height",
    "spherical_radius",
    "polar_angle",
    "elevation_angle",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "altitude",
];

/// The GS1 Web Vocabulary measurement types a sensor report may carry.
pub const MEASUREMENT_TYPES: &[&str] = &[
    "AbsoluteHumidity",
    "AbsorbedDose",
    "AbsorbedDoseRate",
    "Acceleration",
    "Radioactivity",
    "Altitude",
    "AmountOfSubstance",
    "AmountOfSubstancePerUnitVolume",
    "Angle",
    "AngularAcceleration",
    "AngularMomentum",
    "AngularVelocity",
    "Area",
    "Capacitance",
    "Conductance",
    "Conductivity",
    "Count",
    "Density",
    "Dimensionless",
    "DoseEquivalent",
    "DoseEquivalentRate",
    "DynamicViscosity",
    "ElectricCharge",
    "ElectricCurrent",
    "ElectricCurrentDensity",
    "ElectricFieldStrength",
    "Energy",
    "Exposure",
    "Force",
    "Frequency",
    "Illuminance",
    "Inductance",
    "Irradiance",
    "KinematicViscosity",
    "Length",
    "LinearMomentum",
    "Luminance",
    "LuminousFlux",
    "LuminousIntensity",
    "MagneticFlux",
    "MagneticFluxDensity",
    "MagneticVectorPotential",
    "Mass",
    "MassConcentration",
    "MassFlowRate",
    "MassPerAreaTime",
    "MemoryCapacity",
    "MolalityOfSolute",
    "MolarEnergy",
    "MolarMass",
    "MolarVolume",
    "Power",
    "Pressure",
    "RadiantFlux",
    "RadiantIntensity",
    "RelativeHumidity",
    "Resistance",
    "Resistivity",
    "SolidAngle",
    "SpecificVolume",
    "Speed",
    "SurfaceDensity",
    "SurfaceTension",
    "Temperature",
    "Time",
    "Torque",
    "Voltage",
    "Volume",
    "VolumeFlowRate",
    "VolumeFraction",
    "VolumetricFlux",
    "Wavenumber",
];

/// The GS1 Web Vocabulary sensor alert types.
pub const SENSOR_ALERT_TYPES: &[&str] = &["ALARM_CONDITION", "ERROR_CONDITION"];

/// The prefix of every CBV web URI.
pub const CBV_WEB_PREFIX: &str = "https://ref.gs1.org/cbv/";
/// The prefix of every GS1 Web Vocabulary URI.
pub const GS1_VOC_PREFIX: &str = "https://gs1.org/voc/";

impl Vocabulary {
    /// The standard words of this vocabulary.
    pub fn words(self) -> &'static [&'static str] {
        match self {
            Vocabulary::BizStep => BIZ_STEPS,
            Vocabulary::Disposition => DISPOSITIONS,
            Vocabulary::BizTransactionType => BIZ_TRANSACTION_TYPES,
            Vocabulary::SourceDestType => SOURCE_DEST_TYPES,
            Vocabulary::ErrorReason => ERROR_REASONS,
            Vocabulary::Component => COMPONENTS,
            Vocabulary::MeasurementType => MEASUREMENT_TYPES,
            Vocabulary::SensorAlertType => SENSOR_ALERT_TYPES,
        }
    }

    /// The CBV URN prefix XML uses for this vocabulary (`urn:epcglobal:cbv:bizstep:`), if
    /// it has one. The GS1 Web Vocabulary terms have none.
    pub fn urn_prefix(self) -> Option<&'static str> {
        match self {
            Vocabulary::BizStep => Some("urn:epcglobal:cbv:bizstep:"),
            Vocabulary::Disposition => Some("urn:epcglobal:cbv:disp:"),
            Vocabulary::BizTransactionType => Some("urn:epcglobal:cbv:btt:"),
            Vocabulary::SourceDestType => Some("urn:epcglobal:cbv:sdt:"),
            Vocabulary::ErrorReason => Some("urn:epcglobal:cbv:er:"),
            Vocabulary::Component => Some("urn:epcglobal:cbv:comp:"),
            Vocabulary::MeasurementType | Vocabulary::SensorAlertType => None,
        }
    }

    /// The web URI prefix of this vocabulary's terms (`https://ref.gs1.org/cbv/BizStep-`).
    pub fn web_prefix(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "https://ref.gs1.org/cbv/BizStep-",
            Vocabulary::Disposition => "https://ref.gs1.org/cbv/Disp-",
            Vocabulary::BizTransactionType => "https://ref.gs1.org/cbv/BTT-",
            Vocabulary::SourceDestType => "https://ref.gs1.org/cbv/SDT-",
            Vocabulary::ErrorReason => "https://ref.gs1.org/cbv/ER-",
            Vocabulary::Component => "https://ref.gs1.org/cbv/Comp-",
            Vocabulary::MeasurementType | Vocabulary::SensorAlertType => GS1_VOC_PREFIX,
        }
    }

    /// The CURIE prefix XML documents use for GS1 Web Vocabulary terms (`gs1:Temperature`).
    pub fn curie_prefix(self) -> Option<&'static str> {
        match self {
            Vocabulary::MeasurementType | Vocabulary::SensorAlertType => Some("gs1:"),
            _ => None,
        }
    }

    /// A short English name for error messages.
    pub fn name(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "business step",
            Vocabulary::Disposition => "disposition",
            Vocabulary::BizTransactionType => "business transaction type",
            Vocabulary::SourceDestType => "source/destination type",
            Vocabulary::ErrorReason => "error reason",
            Vocabulary::Component => "sensor component",
            Vocabulary::MeasurementType => "measurement type",
            Vocabulary::SensorAlertType => "sensor alert type",
        }
    }

    /// The standard word equal to `word`, if there is one.
    pub fn word(self, word: &str) -> Option<&'static str> {
        self.words()
            .iter()
            .copied()
            .find(|candidate| *candidate == word)
    }

    /// Recognises any written form of a standard term of this vocabulary: the bare word,
    /// the CBV URN, the web URI or the `gs1:` CURIE.
    pub fn standard_term(self, text: &str) -> Option<&'static str> {
        if let Some(word) = self.word(text) {
            return Some(word);
        }
        if let Some(rest) = self
            .urn_prefix()
            .and_then(|prefix| text.strip_prefix(prefix))
        {
            return self.word(rest);
        }
        if let Some(rest) = text.strip_prefix(self.web_prefix()) {
            return self.word(rest);
        }
        if let Some(rest) = self
            .curie_prefix()
            .and_then(|prefix| text.strip_prefix(prefix))
        {
            return self.word(rest);
        }
        // The compact form of the web URI (`cbv:Comp-latitude`), which GS1's examples use in
        // both syntaxes because the EPCIS context binds `cbv` to the CBV web namespace.
        let compact = self.web_prefix().strip_prefix(CBV_WEB_PREFIX)?;
        self.word(text.strip_prefix("cbv:")?.strip_prefix(compact)?)
    }
}

/// A value from a CBV vocabulary: a standard word or a URI of someone's own.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Term {
    /// A standard word such as `shipping` (the bare form).
    Standard(&'static str),
    /// Any other value, kept exactly as written: a URI (`https://example.org/steps/x`), a CURIE
    /// (`example:x`) or, in a document that failed validation, an unknown bare word.
    Other(String),
}

impl Term {
    /// Reads a term as written in any syntax: standard words are recognised in every form.
    pub fn read(vocabulary: Vocabulary, text: &str) -> Term {
        match vocabulary.standard_term(text.trim()) {
            Some(word) => Term::Standard(word),
            None => Term::Other(text.trim().to_owned()),
        }
    }

    /// The JSON-LD form: the bare word for a standard term, the URI for anything else.
    pub fn json_form(&self) -> &str {
        match self {
            Term::Standard(word) => word,
            Term::Other(text) => text,
        }
    }

    /// The XML form: the CBV URN (or `gs1:` CURIE) for a standard term, the URI otherwise.
    pub fn xml_form(&self, vocabulary: Vocabulary) -> String {
        match self {
            Term::Standard(word) => match (vocabulary.urn_prefix(), vocabulary.curie_prefix()) {
                (Some(prefix), _) => format!("{prefix}{word}"),
                (None, Some(prefix)) => format!("{prefix}{word}"),
                (None, None) => format!("{}{word}", vocabulary.web_prefix()),
            },
            Term::Other(text) => text.clone(),
        }
    }

    /// The web URI form the event hash uses (`https://ref.gs1.org/cbv/BizStep-shipping`).
    pub fn web_uri(&self, vocabulary: Vocabulary) -> String {
        match self {
            Term::Standard(word) => format!("{}{word}", vocabulary.web_prefix()),
            Term::Other(text) => text.clone(),
        }
    }

    /// True when the term is one of the standard words.
    pub fn is_standard(&self) -> bool {
        matches!(self, Term::Standard(_))
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json_form())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form_of_a_standard_word_is_the_same_term() {
        let forms = [
            "receiving",
            "urn:epcglobal:cbv:bizstep:receiving",
            "https://ref.gs1.org/cbv/BizStep-receiving",
            "cbv:BizStep-receiving",
        ];
        for form in forms {
            assert_eq!(
                Term::read(Vocabulary::BizStep, form),
                Term::Standard("receiving")
            );
        }
        assert_eq!(
            Term::read(Vocabulary::MeasurementType, "gs1:Temperature"),
            Term::Standard("Temperature")
        );
    }

    #[test]
    fn a_community_uri_stays_as_written() {
        let term = Term::read(Vocabulary::BizStep, "https://example.org/steps/blending");
        assert_eq!(
            term,
            Term::Other("https://example.org/steps/blending".into())
        );
        assert_eq!(
            term.xml_form(Vocabulary::BizStep),
            "https://example.org/steps/blending"
        );
    }

    #[test]
    fn standard_terms_print_in_each_syntax() {
        let term = Term::Standard("in_transit");
        assert_eq!(term.json_form(), "in_transit");
        assert_eq!(
            term.xml_form(Vocabulary::Disposition),
            "urn:epcglobal:cbv:disp:in_transit"
        );
        assert_eq!(
            term.web_uri(Vocabulary::Disposition),
            "https://ref.gs1.org/cbv/Disp-in_transit"
        );
    }
}

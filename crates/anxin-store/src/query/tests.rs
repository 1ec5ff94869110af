use super::*;

fn parse(params: &[(&str, &str)]) -> Result<EventQuery, QueryError> {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let prefixes = vec![(
        "example".to_owned(),
        "https://ns.example.com/epcis/".to_owned(),
    )];
    EventQuery::parse(&params, &prefixes)
}

#[test]
fn an_unknown_parameter_is_named_in_the_error() {
    let err = parse(&[("EQ_bizstep", "shipping")]).unwrap_err();
    assert_eq!(err.parameter, "EQ_bizstep");
}

#[test]
fn cbv_words_and_identifiers_are_made_canonical() {
    let query = parse(&[
        ("EQ_bizStep", "urn:epcglobal:cbv:bizstep:shipping|receiving"),
        ("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017"),
    ])
    .unwrap();
    assert_eq!(
        query.filters[0],
        Filter::BizStep(vec!["shipping".into(), "receiving".into()])
    );
    assert_eq!(
        query.filters[1],
        Filter::Epc {
            roles: &["epc", "child"],
            matches: vec![IdMatch::Exact(
                "https://id.gs1.org/01/10614141073464/21/2017".into()
            )]
        }
    );
}

#[test]
fn an_id_pattern_becomes_a_digital_link_pattern() {
    let query = parse(&[("MATCH_anyEPC", "urn:epc:idpat:sgtin:0614141.107346.*")]).unwrap();
    let Filter::Epc { matches, .. } = &query.filters[0] else {
        panic!()
    };
    assert_eq!(
        matches[0],
        IdMatch::Pattern(vec![
            Piece::Text("https://id.gs1.org/01/10614141073464/21/".into()),
            Piece::Any
        ])
    );
}

#[test]
fn bad_values_say_what_was_expected() {
    assert!(
        parse(&[("GE_eventTime", "yesterday")])
            .unwrap_err()
            .message
            .contains("RFC 3339")
    );
    assert_eq!(parse(&[("perPage", "0")]).unwrap_err().parameter, "perPage");
    assert_eq!(
        parse(&[("eventType", "LabEvent")]).unwrap_err().parameter,
        "eventType"
    );
    assert_eq!(
        parse(&[("EQ_unknown:field", "1")]).unwrap_err().parameter,
        "EQ_unknown:field"
    );
    assert!(parse(&[("eventCountLimit", "5"), ("maxEventCount", "5")]).is_err());
}

#[test]
fn extension_fields_resolve_their_prefix() {
    let query = parse(&[("EQ_example:labReport", "R-1")]).unwrap();
    assert_eq!(
        query.filters[0],
        Filter::Attr {
            name: "ext:https://ns.example.com/epcis/labReport".into(),
            values: vec!["R-1".into()]
        }
    );
}

#[test]
fn order_defaults_to_descending_when_ordered() {
    let query = parse(&[("orderBy", "eventTime")]).unwrap();
    assert!(query.descending);
    assert!(!parse(&[]).unwrap().descending);
}

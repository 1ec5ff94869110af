-- Pages are read in event_seq order. An index on the place alone made a busy location's
-- events be sorted in full before the first page could be cut (seen in EXPLAIN on PostgreSQL
-- with 10 million event-EPC rows); with event_seq beside the place the index gives the page
-- order directly. The old single-column indexes are covered by the new ones.
DROP INDEX event_biz_location;
DROP INDEX event_read_point;
CREATE INDEX event_biz_location_seq ON event (biz_location, event_seq);
CREATE INDEX event_read_point_seq ON event (read_point, event_seq);

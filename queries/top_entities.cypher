// The most linked entities (by number of papers), optionally of one type ($type = null or '' = any).
// Same rows and order as kg.query.top_entities.
// :param type => 'dataset'
// :param limit => 20
MATCH (e:Entity)
WHERE coalesce($type, '') = '' OR e.type = $type
RETURN e.name AS entity, e.type AS type, e.paper_count AS paper_count, e.aliases AS aliases
ORDER BY paper_count DESC, entity, e.id
LIMIT $limit

// Entities appearing in the same papers as an entity (matched by name or alias, any case), by the
// number of papers that have both. Same rows and order as kg.query.cooccurring_entities.
// :param name => 'BERT'
// :param limit => 20
WITH toLower($name) AS lowered
WITH reduce(k = '', c IN [i IN range(0, size(lowered) - 1) | substring(lowered, i, 1)] |
            k + CASE WHEN c =~ '[\\p{L}\\p{N}]' THEN c ELSE '' END) AS key
MATCH (m:Entity)
WHERE key IN m.keys
WITH collect(m) AS matched
UNWIND matched AS m
MATCH (p:Paper)-[:PROPOSES|USES|MENTIONS]->(m)
WITH DISTINCT p, matched
MATCH (p)-[:PROPOSES|USES|MENTIONS]->(e:Entity)
WHERE NOT e IN matched
WITH e, count(DISTINCT p) AS papers
RETURN e.name AS entity, e.type AS type, papers
ORDER BY papers DESC, entity, e.id
LIMIT $limit

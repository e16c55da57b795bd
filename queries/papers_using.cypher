// Papers that propose, use or mention an entity (matched by name or alias, any case and punctuation)
// or one of its variants (entities with a VARIANT_OF edge to it), with the evidence sentence.
// Same rows and order as kg.query.papers_using; $type = null (or '') means any entity type.
// :param name => 'BERT'
// :param type => null
WITH toLower($name) AS lowered
WITH reduce(k = '', c IN [i IN range(0, size(lowered) - 1) | substring(lowered, i, 1)] |
            k + CASE WHEN c =~ '[\\p{L}\\p{N}]' THEN c ELSE '' END) AS key
MATCH (m:Entity)
WHERE key IN m.keys AND (coalesce($type, '') = '' OR m.type = $type)
OPTIONAL MATCH (v:Entity)-[:VARIANT_OF]->(m)
WITH collect(DISTINCT m) + collect(DISTINCT v) AS entities
UNWIND entities AS e
WITH DISTINCT e
MATCH (p:Paper)-[r:PROPOSES|USES|MENTIONS]->(e)
RETURN p.paper_id AS paper_id, p.title AS title, p.year AS year, r.role AS role, e.name AS entity,
       e.type AS type, r.sentence AS evidence, r.rule AS rule, r.confidence AS confidence
ORDER BY CASE role WHEN 'proposes' THEN 0 WHEN 'uses' THEN 1 ELSE 2 END, title, entity, paper_id

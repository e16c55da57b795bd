// What one paper (given by id or by title, case and punctuation ignored) proposes, uses and mentions.
// Same rows and order as kg.query.paper_entities.
// :param paper => 'Attention Is All You Need'
WITH $paper AS ref, toLower($paper) AS lowered
WITH ref, reduce(k = '', c IN [i IN range(0, size(lowered) - 1) | substring(lowered, i, 1)] |
                 k + CASE WHEN c =~ '[\\p{L}\\p{N}]' THEN c ELSE '' END) AS key
MATCH (p:Paper)
WHERE p.paper_id = ref OR p.title_key = key
WITH p ORDER BY CASE WHEN p.paper_id = ref THEN 0 ELSE 1 END, p.paper_id LIMIT 1
MATCH (p)-[r:PROPOSES|USES|MENTIONS]->(e:Entity)
RETURN p.paper_id AS paper_id, p.title AS title, r.role AS role, e.name AS entity, e.type AS type,
       r.sentence AS evidence
ORDER BY CASE role WHEN 'proposes' THEN 0 WHEN 'uses' THEN 1 ELSE 2 END, type, entity

// Papers sharing the most (rarest) entities with a paper (given by id or title): SHARES_ENTITIES
// edges in either direction, heaviest IDF weight first. Same rows and order as kg.query.related_papers.
// :param paper => 'Attention Is All You Need'
// :param limit => 10
WITH $paper AS ref, toLower($paper) AS lowered
WITH ref, reduce(k = '', c IN [i IN range(0, size(lowered) - 1) | substring(lowered, i, 1)] |
                 k + CASE WHEN c =~ '[\\p{L}\\p{N}]' THEN c ELSE '' END) AS key
MATCH (p:Paper)
WHERE p.paper_id = ref OR p.title_key = key
WITH p ORDER BY CASE WHEN p.paper_id = ref THEN 0 ELSE 1 END, p.paper_id LIMIT 1
MATCH (p)-[s:SHARES_ENTITIES]-(o:Paper)
RETURN o.paper_id AS paper_id, o.title AS title, s.weight AS weight, s.entities AS shared
ORDER BY weight DESC, title, paper_id
LIMIT $limit

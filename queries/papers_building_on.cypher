// Papers that use what a paper (given by id or title) proposes: incoming BUILDS_ON edges, with the
// entities they build on. Same rows and order as kg.query.papers_building_on.
// :param paper => 'Attention Is All You Need'
WITH $paper AS ref, toLower($paper) AS lowered
WITH ref, reduce(k = '', c IN [i IN range(0, size(lowered) - 1) | substring(lowered, i, 1)] |
                 k + CASE WHEN c =~ '[\\p{L}\\p{N}]' THEN c ELSE '' END) AS key
MATCH (p:Paper)
WHERE p.paper_id = ref OR p.title_key = key
WITH p ORDER BY CASE WHEN p.paper_id = ref THEN 0 ELSE 1 END, p.paper_id LIMIT 1
MATCH (src:Paper)-[b:BUILDS_ON]->(p)
RETURN src.paper_id AS paper_id, src.title AS title, b.via AS via
ORDER BY title, paper_id

// All shortest chains entity - paper - entity ... linking two entities (each matched by name or alias,
// any case; the first match by node id), through role edges only (PROPOSES|USES|MENTIONS, either
// direction). Nodes are labelled by entity name / paper title. Same rows and order as
// kg.query.shortest_connection.
// :param source => 'BERT'
// :param target => 'ImageNet'
// :param limit => 10
WITH toLower($source) AS source, toLower($target) AS target
WITH reduce(k = '', c IN [i IN range(0, size(source) - 1) | substring(source, i, 1)] |
            k + CASE WHEN c =~ '[\\p{L}\\p{N}]' THEN c ELSE '' END) AS skey,
     reduce(k = '', c IN [i IN range(0, size(target) - 1) | substring(target, i, 1)] |
            k + CASE WHEN c =~ '[\\p{L}\\p{N}]' THEN c ELSE '' END) AS tkey
CALL (skey) {
  MATCH (a:Entity) WHERE skey IN a.keys
  RETURN a ORDER BY a.id LIMIT 1
}
CALL (tkey) {
  MATCH (b:Entity) WHERE tkey IN b.keys
  RETURN b ORDER BY b.id LIMIT 1
}
MATCH path = ALL SHORTEST (a)-[:PROPOSES|USES|MENTIONS]-*(b)
WITH DISTINCT nodes(path) AS chain
WITH [n IN chain | CASE WHEN n:Entity THEN n.name ELSE n.title END] AS path, size(chain) - 1 AS hops
RETURN hops, path
ORDER BY path
LIMIT $limit

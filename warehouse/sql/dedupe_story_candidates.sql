-- Earlier articles (not duplicates) sharing at least two story keys with a new article (an
-- organisation pair and a figure, say) within the window.
SELECT n.article_id AS a, h.article_id AS b
FROM (SELECT * FROM story_keys WHERE article_id IN (SELECT unnest($ids))) AS n
JOIN story_keys AS h
  ON h.key = n.key
 AND h.article_id <> n.article_id
 AND h.day BETWEEN n.day - $window::INTEGER AND n.day + $window::INTEGER
GROUP BY ALL
HAVING count(*) >= 2;

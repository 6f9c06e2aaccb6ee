-- Every table and view of the main schema: name, 'table' | 'view', its columns in order.
SELECT table_name,
       CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END,
       list(column_name ORDER BY ordinal_position)
FROM information_schema.columns
JOIN information_schema.tables USING (table_catalog, table_schema, table_name)
WHERE table_schema = 'main' AND table_catalog = current_database()
GROUP BY ALL
ORDER BY 2, 1;

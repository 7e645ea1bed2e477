run
where
status

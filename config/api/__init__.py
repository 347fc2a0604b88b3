"""/api/ as a whole: the URL conf that gathers every app's resources, and the JSON 404
for unmatched API URLs. The conventions each resource follows are in core/api/."""

"""The calendar days (节假日与调休) in the admin, for system administrators."""

DROP TABLE sheet_uploads;

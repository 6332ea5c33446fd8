DROP TABLE site_secrets;
DROP TABLE feedback;

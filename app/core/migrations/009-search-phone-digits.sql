-- 009-search-phone-digits.sql: the search documents also hold each client's phone number
-- as digits only, so that "3475555706" finds "347-555-5706". The documents are written
-- again by the migration's step from the same SQL the store uses.
DELETE FROM case_search;

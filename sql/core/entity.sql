-- The four legal entities; intercompany sales are recognised by these exact names (docs/glossary.md#entities).
create or replace view core.entity as
select code, legal_name
from (
    values
        ('DDD', 'PT Dream Dare Discover'),
        ('LJBB', 'CV Lancar Jaya Besar Bersama'),
        ('MBB', 'CV Makmur Besar Bersama'),
        ('UBB', 'CV Untung Besar Bersama')
) as entity (code, legal_name);

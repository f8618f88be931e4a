"""The deadline engine: the rules (what is due when, on which legal basis, in working days or
hours), the words urgent, end of day and due soon, and the due items read from every domain."""

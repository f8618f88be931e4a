"""The rights of the people whose data caseapp holds (Nghị định 13/2023/NĐ-CP, Điều 9; Luật Bảo vệ dữ liệu
cá nhân 2025): their written requests (export, correction, erasure), the export of everything held
about a person, retention after the last case closed and anonymisation, and the register of processing
activities.

- models: DataSubjectRequest, ClientAnonymisation, RetentionNotice, RetentionSweep
- retention: the retention period per kind of case, and which clients it has run out for
- queries: the requests, anonymisation and notices of a client
- services: record and close a request, the export's handling
- anonymise: anonymise a client (what is removed, what is kept)
- export: everything held about a client, as JSON and as a PDF
- jobs: the daily retention sweep (the scheduler's tick)
- processing: the register of processing activities, as data kept with the code
- forms, views: the supervisors' pages and the admins' register
"""

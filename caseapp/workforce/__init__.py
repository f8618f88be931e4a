"""The social-work workforce (staff and collaborators by agency and commune), their training, and the
communication activities: the programme's people and activities, counted for QĐ 112/QĐ-TTg
indicators 1 and 2 and the yearly report."""

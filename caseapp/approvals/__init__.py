"""Approvals: a supervisor's decision on an assessment, a plan or a closure (four eyes). The
subjects are registered explicitly by create_app (register_subject)."""

"""Service providers, referrals (chuyển gửi) and transfers of a case to another facility.
The blueprint has no URL prefix: /providers, /cases/<id>/referrals/new, /cases/<id>/transfer,
/referrals/…, /transfers/…"""

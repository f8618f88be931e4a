def test_login_page_is_vietnamese(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Đăng nhập" in response.get_data(as_text=True)


def test_worker_signs_in_and_sees_home(client, make_user, login):
    user = make_user()
    response = login(user)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert user.full_name in home.get_data(as_text=True)

# Madoguchi — 日本語 (既定の言語)

app-name = 窓口 Madoguchi
demo-badge = デモ (仮想カード)
demo-banner = デモモード: 仮想カード「{ $profile }」を使います (カードリーダーは不要です)。デモカードのパスワードは README に書いてあります。

## カードの状態 (madoguchi status)

status-readers = カードリーダー
status-no-readers = カードリーダーが見つかりません。
status-reader-card-present = カードあり
status-reader-empty = カードなし
status-card = カード
status-card-kind = カードの種類
card-kind-my-number-card = マイナンバーカード
card-kind-juki-card = 住民基本台帳カード
card-kind-smartphone-android = スマートフォン (Android)
card-kind-smartphone-iphone = スマートフォン (iPhone)
card-kind-other = その他のカード ({ $label })
pin-signing-password = 署名用電子証明書のパスワード
pin-authentication-pin = 利用者証明用電子証明書の暗証番号
pin-card-info-pin = 券面事項入力補助用の暗証番号
pin-tries-left = あと { $tries } 回 (最大 { $max } 回)
pin-locked = ロックされています
pin-already-verified = 確認済み
status-no-try-spent = (回数を確かめるだけで、入力回数は減りません)

## 電子証明書 (madoguchi cert)

cert-title = 署名用電子証明書
cert-subject = 発行先
cert-issuer = 発行者
cert-serial = シリアル番号
cert-valid-from = 有効期間の開始
cert-valid-until = 有効期間の満了
cert-fingerprint = SHA-256 フィンガープリント
cert-expired = この電子証明書は有効期限が切れています。
holder-title = 電子証明書に記録された基本4情報
holder-name = 氏名
holder-address = 住所
holder-sex = 性別
holder-birth-date = 生年月日
sex-male = 男
sex-female = 女
sex-not-applicable = 適用不能
sex-other = その他 ({ $code })

## パスワード入力

password-prompt = 署名用電子証明書のパスワード (英大文字と数字 6〜16文字) を入力してください:
password-tries-left = パスワードはあと { $tries } 回まちがえるとロックされます。
password-warning-two-left = ご注意ください: あと 2 回まちがえるとロックされます。
password-last-try = 最後の 1 回です。まちがえるとカードがロックされ、市区町村の窓口での手続きが必要になります。
password-last-try-confirm = 本当に入力しますか? (はい = yes と入力):
password-last-try-needs-flag = 残りが 1 回のため、確認なしでは送信しません。確かめたうえで --confirm-last-try を付けて実行してください。
password-uppercased = 小文字を大文字に直しました。
password-from-stdin-empty = 標準入力からパスワードを読めませんでした。

## エラー表示の共通部分

error-heading = エラー { $number }: { $title }
error-resident = どうすればよいか
error-staff = 窓口の職員の方へ
error-manual = マニュアル { $section }

## エラー一覧 (docs/errors.md はここから作られます)

error-101-title = スマートカードのサービスが動いていません
error-101-cause = パソコンでICカードを扱うサービス (Windows: Smart Card サービス、Linux: pcscd、macOS: CryptoTokenKit) が止まっているか、入っていません。
error-101-resident = パソコンを再起動してから、もう一度お試しください。直らない場合は、カードリーダーの説明書にあるドライバーを入れ直してください。
error-101-staff = サービスの状態を確認し、起動してください (Windows: services.msc の「Smart Card」、Linux: systemctl start pcscd.socket)。窓口端末ではサービスを自動起動に設定してください。
error-102-title = カードリーダーがつながっていません
error-102-cause = パソコンにICカードリーダーが接続されていないか、電源が入っていないか、ドライバーが入っていません。
error-102-resident = カードリーダーをパソコンにしっかり差し込み、電源を確かめてください。接続すると画面が自動で切り替わります。
error-102-staff = 別のUSB端子に差し替え、OSがリーダーを認識しているか確認してください (Linux: pcsc_scan)。リモートデスクトップ経由ではリーダーが見えないことがあります。
error-103-title = 指定したカードリーダーが見つかりません
error-103-cause = 指定された名前のカードリーダーが接続されていないか、名前が違います。
error-103-resident = カードリーダーの接続を確かめてください。名前を指定せずに実行すると、カードが入っているリーダーを自動で選びます。
error-103-staff = madoguchi status で接続中のリーダー名を確認し、その名前を指定してください。
error-104-title = カードが入っていません
error-104-cause = カードリーダーにカードが入っていないか、向きや差し込みが正しくありません。
error-104-resident = マイナンバーカードを、ICチップのある面を正しい向きにして、奥までしっかり差し込んでください (非接触型はリーダーの上に置いてください)。
error-104-staff = カードの向きと差し込み方を確認してください。別のカードで読めるか試し、読めなければリーダーの故障を疑ってください。
error-105-title = マイナンバーカードではありません
error-105-cause = 入っているカードに公的個人認証 (JPKI) の機能がありません。キャッシュカードなど別のカードの可能性があります。
error-105-resident = マイナンバーカードが入っているか確かめてください。
error-105-staff = 公的個人認証のアプリケーションが選択できないカードです。マイナンバーカードであれば、ICチップの故障の可能性があるため、カードの再交付を案内してください。
error-106-title = 予期しないエラー (カードが抜かれました)
error-106-cause = カードを読み書きしている途中で、カードがリーダーから抜かれたか、接触が切れました。
error-106-resident = カードをもう一度しっかり差し込み、最初からやり直してください。パスワードの入力回数は減っていません。
error-106-staff = 操作中はカードに触れないよう案内してください。非接触型リーダーではカードがずれやすいため、置き場所を固定してください。
error-107-title = カードが別のプログラムで使われています
error-107-cause = 別のプログラム (他の公的個人認証ソフトなど) がカードを専有しています。
error-107-resident = ほかのカード用ソフトを閉じてから、もう一度お試しください。
error-107-staff = カードを使う他のソフト (JPKI利用者ソフト、ブラウザの拡張など) を終了してください。
error-108-title = カードが応答しません
error-108-cause = カードまたはカードリーダーが決められた時間内に応答しませんでした。
error-108-resident = カードを抜いて差し直し、もう一度お試しください。
error-108-staff = リーダーを接続し直してください。続く場合は別のリーダーで試してください。
error-109-title = カードリーダーのエラー
error-109-cause = カードリーダーまたはドライバーがエラーを返しました。
error-109-resident = カードリーダーを接続し直し、もう一度お試しください。
error-109-staff = ドライバーを更新し、表示された詳細を記録してください。
error-110-title = パスワードがちがいます
error-110-cause = 入力した署名用電子証明書のパスワードが、カードに登録されたものと一致しませんでした。
error-110-resident = パスワードを確かめて入力し直してください。残りの回数に注意してください。0 回になるとカードがロックされます。
error-110-staff = 残り回数が少ない場合は無理に入力させず、パスワードの初期化の手続き (本人確認書類が必要) を案内してください。
error-111-title = パスワードがロックされています
error-111-cause = 間違ったパスワードが続けて入力されたため、カードのパスワードにロックがかかっています。
error-111-resident = ロックの解除は、お住まいの市区町村の窓口で行います。マイナンバーカードと本人確認書類をお持ちください。パスワードを忘れた場合は、同時に初期化の手続きもできます。
error-111-staff = パスワードロック解除 (と必要ならパスワード初期化) の手続きを行ってください。この状態ではカードにパスワードを送らないため、回数は変わりません。
error-112-title = パスワードの確認が済んでいません
error-112-cause = パスワードを確認する前に、保護された情報を読もうとしました。
error-112-resident = 最初からやり直してください。
error-112-staff = 通常は起きない状態です。繰り返す場合は開発元に報告してください。
error-113-title = パスワードの形式がちがいます
error-113-cause = 入力したパスワードが、英大文字と数字の 6〜16 文字ではありません。カードには送っていないので、回数は減っていません。
error-113-resident = 英字 (A〜Z) と数字 (0〜9) だけで、6〜16 文字で入力してください。記号や空白は使えません。
error-113-staff = パスワードの決まりを説明してください。覚えていない場合は初期化の手続きを案内してください。
error-114-title = さきほどまちがえたパスワードと同じです
error-114-cause = 直前にカードが受け付けなかったパスワードと同じものが入力されました。送ると回数が 1 回減ります。
error-114-resident = 別のパスワードを思い出してから入力してください。わからない場合は市区町村の窓口にご相談ください。
error-114-staff = 同じ誤りで回数を減らさないよう、パスワードの記録を確認するよう案内してください。
error-115-title = 最後の 1 回の確認が必要です
error-115-cause = パスワードの残りが 1 回です。まちがえるとロックされるため、確認なしでは送りません。
error-115-resident = パスワードを確かめ、確認の画面で「送信する」を選んでください。自信がなければ、窓口で初期化してもらうほうが安全です。
error-115-staff = 住民の方が確実に覚えている場合だけ入力してもらってください。
error-116-title = カードから予期しない応答がありました
error-116-cause = カードが想定していない状態コードを返しました。
error-116-resident = カードを差し直して、最初からやり直してください。
error-116-staff = 表示された状態コードを記録してください。繰り返す場合はカードの故障の可能性があります。
error-117-title = カードのデータを読めません
error-117-cause = カードから読み込んだデータの形式が正しくありません (申請に必要な情報の取込みエラー)。
error-117-resident = カードを差し直して、もう一度お試しください。
error-117-staff = 繰り返す場合はカードの故障の可能性があるため、再交付を案内してください。

select id as payment_id, order_id, amount, created_at
from {{ source('shop_raw', 'payments') }}

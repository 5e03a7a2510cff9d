select id as order_id, customer_id, amount, status, _loaded_at
from {{ source('shop_raw', 'orders') }}
